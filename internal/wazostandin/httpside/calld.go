package httpside

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// calldHandler wraps a wazo-calld route: X-Auth-Token + ACL check (401
// envelope, docs/wazo-protocol.md, Calls API), then fn; a *callmodel.CalldError from fn becomes the docs/wazo-protocol.md, Calls API error
// envelope. X-User-UUID, Wazo-Tenant and "Content-Type: application/json"
// with an empty body are accepted anywhere (docs/wazo-protocol.md, Calls API).
func (s *Side) calldHandler(acl func(r *http.Request) string, fn func(w http.ResponseWriter, r *http.Request, t *token) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, cerr := s.authenticate(r, acl(r))
		if cerr != nil {
			s.writeCalldError(w, cerr)
			return
		}
		if err := fn(w, r, t); err != nil {
			var ce *callmodel.CalldError
			if errors.As(err, &ce) {
				s.writeCalldError(w, ce)
				return
			}
			s.cfg.Log.Error("wazostandin: calld handler failed", "path", r.URL.Path, "err", err)
			s.writeCalldError(w, &callmodel.CalldError{Status: http.StatusServiceUnavailable, ErrorID: "asterisk-ari-error", Message: "Error while operating Asterisk", Details: map[string]any{"message": err.Error()}})
		}
	}
}

func fixedACL(a string) func(*http.Request) string { return func(*http.Request) string { return a } }

func callACL(suffix string) func(*http.Request) string {
	return func(r *http.Request) string { return "calld.users.me.calls." + aclWord(r.PathValue("id")) + suffix }
}

// aclWord is a path value as it appears in a required ACL: xivo's
// auth_verifier replaces its dots with underscores, so call "1.2" needs
// "calld.users.me.calls.1_2.delete" and one "*" matches it
// (xivo-lib-python xivo/auth_verifier.py, _required_acl).
func aclWord(v string) string { return strings.ReplaceAll(v, ".", "_") }

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

var dtmfDigits = regexp.MustCompile(`^[0-9*#]+$`)

// decodeObject parses a JSON object body; anything else is 400
// invalid-data (xivo mallow_helpers).
func decodeObject(r *http.Request, v any) error {
	raw, err := readBody(r)
	if err != nil || len(raw) == 0 {
		return callmodel.InvalidDataError(map[string]any{"_schema": map[string]any{"constraint_id": "type", "message": "Invalid input type."}})
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return callmodel.InvalidDataError(map[string]any{"_schema": map[string]any{"constraint_id": "type", "message": "Invalid input type."}})
	}
	return nil
}

func fieldError(field, constraint, msg string) *callmodel.CalldError {
	return callmodel.InvalidDataError(map[string]any{field: map[string]any{"constraint_id": constraint, "message": msg}})
}

// calldPrefix is the users/me part of the calld API a softphone uses
// (docs/wazo-protocol.md, Calls API).
const calldPrefix = "/api/calld/1.0/users/me"

// calldRoute is one wazo-calld route: its mux pattern, the ACL it requires
// and its handler.
type calldRoute struct {
	pattern string
	acl     func(*http.Request) string
	handle  func(w http.ResponseWriter, r *http.Request, t *token) error
}

// calldRouteTable lists the calld routes the stand-in serves, one handler
// each (wazo-calld plugins/calls, plugins/adhoc_conferences and
// plugins/transfers api.yml). The ACLs are the @required_acl of each
// plugin's http.py; the ad-hoc conference ones name no conference or call
// (wazo-calld plugins/adhoc_conferences/http.py).
func (s *Side) calldRouteTable() []calldRoute {
	const p = calldPrefix
	return []calldRoute{
		{"GET " + p + "/calls", fixedACL("calld.users.me.calls.read"), s.listCalls},
		{"POST " + p + "/calls", fixedACL("calld.users.me.calls.create"), s.createCall},
		{"DELETE " + p + "/calls/{id}", callACL(".delete"), s.hangupCall},
		{"PUT " + p + "/calls/{id}/mute/{action}", featureACL("mute"), s.muteCall},
		{"PUT " + p + "/calls/{id}/hold/{action}", featureACL("hold"), s.holdCall},
		{"PUT " + p + "/calls/{id}/answer", callACL(".answer.update"), s.answerCall},
		{"PUT " + p + "/calls/{id}/dtmf", callACL(".dtmf.update"), s.dtmfCall},
		{"PUT " + p + "/calls/{id}/record/{action}", featureACL("record"), s.recordCall},
		{"POST " + p + "/conferences/adhoc", fixedACL("calld.users.me.conferences.adhoc.create"), s.createAdhoc},
		{"PUT " + p + "/conferences/adhoc/{cid}/participants/{call_id}", fixedACL("calld.users.me.conferences.adhoc.participants.update"), s.addAdhocParticipant},
		{"DELETE " + p + "/conferences/adhoc/{cid}/participants/{call_id}", fixedACL("calld.users.me.conferences.adhoc.participants.delete"), s.removeAdhocParticipant},
		{"DELETE " + p + "/conferences/adhoc/{cid}", fixedACL("calld.users.me.conferences.adhoc.delete"), s.deleteAdhoc},
		{"POST " + p + "/transfers", fixedACL("calld.users.me.transfers.create"), s.createTransfer},
		{"GET " + p + "/transfers", fixedACL("calld.users.me.transfers.read"), s.listTransfers},
		{"PUT " + p + "/transfers/{tid}/complete", transferACL(".complete.update"), s.completeTransfer},
		{"DELETE " + p + "/transfers/{tid}", transferACL(".delete"), s.cancelTransfer},
	}
}

func (s *Side) calldRoutes(mux *http.ServeMux) {
	for _, rt := range s.calldRouteTable() {
		mux.HandleFunc(rt.pattern, s.calldHandler(rt.acl, rt.handle))
	}
	s.voicemailRoutes(mux)
}

// featureACL is the ACL of PUT calls/{id}/<feature>/{action}.
func featureACL(feature string) func(*http.Request) string {
	return func(r *http.Request) string {
		return "calld.users.me.calls." + aclWord(r.PathValue("id")) + "." + feature + "." + r.PathValue("action") + ".update"
	}
}

func transferACL(suffix string) func(*http.Request) string {
	return func(r *http.Request) string {
		return "calld.users.me.transfers." + aclWord(r.PathValue("tid")) + suffix
	}
}

// done turns a model error into the route's result: 204 on success.
func done(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	noContent(w)
	return nil
}

func (s *Side) listCalls(w http.ResponseWriter, _ *http.Request, t *token) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.calls.UserCalls(t.UserUUID)})
	return nil
}

// createCall validates the body and refuses with call-creation: click-to-call
// needs the SIP side to ring the user's phone first (docs/wazo-protocol.md,
// Stand-in differences).
func (s *Side) createCall(_ http.ResponseWriter, r *http.Request, _ *token) error {
	var body struct {
		Extension *string `json:"extension"`
	}
	if err := decodeObject(r, &body); err != nil {
		return err
	}
	if body.Extension == nil || *body.Extension == "" {
		return fieldError("extension", "required", "Missing data for required field.")
	}
	return callmodel.CallCreationError("Could not create call: click-to-call is not supported by this stack", map[string]any{"extension": *body.Extension})
}

func (s *Side) hangupCall(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.UserHangup(t.UserUUID, r.PathValue("id")))
}

// startStop reads the {action} of mute/hold routes; false means 404.
func startStop(r *http.Request) (on, ok bool) {
	switch r.PathValue("action") {
	case "start":
		return true, true
	case "stop":
		return false, true
	}
	return false, false
}

func (s *Side) muteCall(w http.ResponseWriter, r *http.Request, t *token) error {
	on, ok := startStop(r)
	if !ok {
		http.NotFound(w, r)
		return nil
	}
	return done(w, s.calls.UserMute(t.UserUUID, r.PathValue("id"), on))
}

func (s *Side) holdCall(w http.ResponseWriter, r *http.Request, t *token) error {
	on, ok := startStop(r)
	if !ok {
		http.NotFound(w, r)
		return nil
	}
	return done(w, s.calls.UserHold(t.UserUUID, r.PathValue("id"), on))
}

func (s *Side) answerCall(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.UserAnswer(t.UserUUID, r.PathValue("id")))
}

func (s *Side) dtmfCall(w http.ResponseWriter, r *http.Request, t *token) error {
	digits := r.URL.Query().Get("digits")
	if !dtmfDigits.MatchString(digits) {
		return fieldError("digits", "regex", "String does not match expected pattern.")
	}
	return done(w, s.calls.UserDTMF(t.UserUUID, r.PathValue("id"), digits))
}

// recordCall is PUT …/record/{start,stop,pause,resume} (wazo-calld
// plugins/calls/http.py MyCallRecord*Resource); another word is no route.
func (s *Side) recordCall(w http.ResponseWriter, r *http.Request, t *token) error {
	switch a := r.PathValue("action"); a {
	case callmodel.RecordStart, callmodel.RecordStop, callmodel.RecordPause, callmodel.RecordResume:
		return done(w, s.calls.UserRecord(t.UserUUID, r.PathValue("id"), a))
	}
	http.NotFound(w, r)
	return nil
}

func (s *Side) createAdhoc(w http.ResponseWriter, r *http.Request, t *token) error {
	var body struct {
		HostCallID         *string         `json:"host_call_id"`
		ParticipantCallIDs json.RawMessage `json:"participant_call_ids"`
	}
	if err := decodeObject(r, &body); err != nil {
		return err
	}
	if body.HostCallID == nil {
		return fieldError("host_call_id", "required", "Missing data for required field.")
	}
	if *body.HostCallID == "" {
		return fieldError("host_call_id", "length", "Length must be between 1 and ...")
	}
	var ids []string
	if len(body.ParticipantCallIDs) > 0 && string(body.ParticipantCallIDs) != "null" {
		if err := json.Unmarshal(body.ParticipantCallIDs, &ids); err != nil {
			return fieldError("participant_call_ids", "type", "Not a valid list of strings.")
		}
	}
	id, join, err := s.calls.StartAdhoc(t.UserUUID, *body.HostCallID, ids)
	if err != nil {
		return err
	}
	if !s.cfg.AdhocJoinAfterReply {
		join()
	}
	// The SDK parses the 201 body as JSON (docs/wazo-protocol.md, Ad-hoc
	// conferences).
	writeJSON(w, http.StatusCreated, map[string]any{"conference_id": id})
	if s.cfg.AdhocJoinAfterReply {
		// The 201 leaves first; the channels enter the bridge after it
		// (wazo-calld plugins/adhoc_conferences/stasis.py).
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		join()
	}
	return nil
}

func (s *Side) addAdhocParticipant(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.AddAdhocParticipant(t.UserUUID, r.PathValue("cid"), r.PathValue("call_id")))
}

func (s *Side) removeAdhocParticipant(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.RemoveAdhocParticipant(t.UserUUID, r.PathValue("cid"), r.PathValue("call_id")))
}

func (s *Side) deleteAdhoc(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.DeleteAdhoc(t.UserUUID, r.PathValue("cid")))
}

func (s *Side) createTransfer(w http.ResponseWriter, r *http.Request, t *token) error {
	var body struct {
		InitiatorCall *string `json:"initiator_call"`
		Exten         *string `json:"exten"`
		Flow          string  `json:"flow"`
		Timeout       int     `json:"timeout"`
	}
	if err := decodeObject(r, &body); err != nil {
		return err
	}
	if body.InitiatorCall == nil || *body.InitiatorCall == "" {
		return fieldError("initiator_call", "required", "Missing data for required field.")
	}
	if body.Exten == nil || *body.Exten == "" {
		return fieldError("exten", "required", "Missing data for required field.")
	}
	tr, err := s.calls.CreateTransfer(t.UserUUID, *body.InitiatorCall, *body.Exten, body.Flow, body.Timeout)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tr)
	return nil
}

func (s *Side) listTransfers(w http.ResponseWriter, _ *http.Request, t *token) error {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.calls.Transfers(t.UserUUID)})
	return nil
}

func (s *Side) completeTransfer(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.CompleteTransfer(t.UserUUID, r.PathValue("tid")))
}

func (s *Side) cancelTransfer(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.CancelTransfer(t.UserUUID, r.PathValue("tid")))
}
