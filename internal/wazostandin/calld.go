package wazostandin

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
)

// calldHandler wraps a wazo-calld route: X-Auth-Token + ACL check (401
// envelope, §9.1), then fn; a *CalldError from fn becomes the §5 error
// envelope. X-User-UUID, Wazo-Tenant and "Content-Type: application/json"
// with an empty body are accepted anywhere (§10.2, §10.3).
func (s *Stack) calldHandler(acl func(r *http.Request) string, fn func(w http.ResponseWriter, r *http.Request, t *token) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, cerr := s.authenticate(r, acl(r))
		if cerr != nil {
			s.writeCalldError(w, cerr)
			return
		}
		if err := fn(w, r, t); err != nil {
			var ce *CalldError
			if errors.As(err, &ce) {
				s.writeCalldError(w, ce)
				return
			}
			s.cfg.log.Error("wazostandin: calld handler failed", "path", r.URL.Path, "err", err)
			s.writeCalldError(w, &CalldError{http.StatusServiceUnavailable, "asterisk-ari-error", "Error while operating Asterisk", map[string]any{"message": err.Error()}})
		}
	}
}

func fixedACL(a string) func(*http.Request) string { return func(*http.Request) string { return a } }

func callACL(suffix string) func(*http.Request) string {
	return func(r *http.Request) string { return "calld.users.me.calls." + r.PathValue("id") + suffix }
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

var dtmfDigits = regexp.MustCompile(`^[0-9*#]+$`)

// decodeObject parses a JSON object body; anything else is 400
// invalid-data (xivo mallow_helpers).
func decodeObject(r *http.Request, v any) error {
	raw, err := readBody(r)
	if err != nil || len(raw) == 0 {
		return errInvalidData(map[string]any{"_schema": map[string]any{"constraint_id": "type", "message": "Invalid input type."}})
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errInvalidData(map[string]any{"_schema": map[string]any{"constraint_id": "type", "message": "Invalid input type."}})
	}
	return nil
}

func fieldError(field, constraint, msg string) *CalldError {
	return errInvalidData(map[string]any{field: map[string]any{"constraint_id": constraint, "message": msg}})
}

func (s *Stack) calldRoutes(mux *http.ServeMux) {
	const p = "/api/calld/1.0/users/me"
	m := s.calls

	mux.HandleFunc("GET "+p+"/calls", s.calldHandler(fixedACL("calld.users.me.calls.read"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			writeJSON(w, http.StatusOK, map[string]any{"items": m.UserCalls(t.UserUUID)})
			return nil
		}))
	// Click-to-call needs the SIP side to ring the user's phone first; the
	// stand-in validates the body and refuses with call-creation (§5.1).
	mux.HandleFunc("POST "+p+"/calls", s.calldHandler(fixedACL("calld.users.me.calls.create"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			var body struct {
				Extension *string `json:"extension"`
			}
			if err := decodeObject(r, &body); err != nil {
				return err
			}
			if body.Extension == nil || *body.Extension == "" {
				return fieldError("extension", "required", "Missing data for required field.")
			}
			return errCallCreation("Could not create call: click-to-call is not supported by this stack", map[string]any{"extension": *body.Extension})
		}))
	mux.HandleFunc("DELETE "+p+"/calls/{id}", s.calldHandler(callACL(".delete"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.UserHangup(t.UserUUID, r.PathValue("id")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	for _, feature := range []string{"mute", "hold"} {
		mux.HandleFunc("PUT "+p+"/calls/{id}/"+feature+"/{action}", s.calldHandler(
			func(r *http.Request) string {
				return "calld.users.me.calls." + r.PathValue("id") + "." + feature + "." + r.PathValue("action") + ".update"
			},
			func(w http.ResponseWriter, r *http.Request, t *token) error {
				var on bool
				switch r.PathValue("action") {
				case "start":
					on = true
				case "stop":
				default:
					http.NotFound(w, r)
					return nil
				}
				var err error
				if feature == "mute" {
					err = m.UserMute(t.UserUUID, r.PathValue("id"), on)
				} else {
					err = m.UserHold(t.UserUUID, r.PathValue("id"), on)
				}
				if err != nil {
					return err
				}
				noContent(w)
				return nil
			}))
	}
	mux.HandleFunc("PUT "+p+"/calls/{id}/answer", s.calldHandler(callACL(".answer.update"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.UserAnswer(t.UserUUID, r.PathValue("id")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	mux.HandleFunc("PUT "+p+"/calls/{id}/dtmf", s.calldHandler(callACL(".dtmf.update"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			digits := r.URL.Query().Get("digits")
			if !dtmfDigits.MatchString(digits) {
				return fieldError("digits", "regex", "String does not match expected pattern.")
			}
			if err := m.UserDTMF(t.UserUUID, r.PathValue("id"), digits); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	mux.HandleFunc("PUT "+p+"/calls/{id}/record/{action}", s.calldHandler(
		func(r *http.Request) string {
			return "calld.users.me.calls." + r.PathValue("id") + ".record." + r.PathValue("action") + ".update"
		},
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.UserRecord(t.UserUUID, r.PathValue("id"), r.PathValue("action")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))

	// Ad-hoc conferences (§5.3, §9.1.9-12).
	mux.HandleFunc("POST "+p+"/conferences/adhoc", s.calldHandler(fixedACL("calld.users.me.conferences.adhoc.create"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
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
			id, err := m.CreateAdhoc(t.UserUUID, *body.HostCallID, ids)
			if err != nil {
				return err
			}
			// §10.6: the SDK parses the 201 body as JSON.
			writeJSON(w, http.StatusCreated, map[string]any{"conference_id": id})
			return nil
		}))
	confACL := func(suffix string) func(*http.Request) string {
		return func(r *http.Request) string {
			a := "calld.users.me.conferences.adhoc." + r.PathValue("cid")
			if r.PathValue("call_id") != "" {
				a += ".participants." + r.PathValue("call_id")
			}
			return a + suffix
		}
	}
	mux.HandleFunc("PUT "+p+"/conferences/adhoc/{cid}/participants/{call_id}", s.calldHandler(confACL(".update"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.AddAdhocParticipant(t.UserUUID, r.PathValue("cid"), r.PathValue("call_id")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	mux.HandleFunc("DELETE "+p+"/conferences/adhoc/{cid}/participants/{call_id}", s.calldHandler(confACL(".delete"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.RemoveAdhocParticipant(t.UserUUID, r.PathValue("cid"), r.PathValue("call_id")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	mux.HandleFunc("DELETE "+p+"/conferences/adhoc/{cid}", s.calldHandler(confACL(".delete"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.DeleteAdhoc(t.UserUUID, r.PathValue("cid")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))

	// Transfers (§5.2).
	mux.HandleFunc("POST "+p+"/transfers", s.calldHandler(fixedACL("calld.users.me.transfers.create"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			var body struct {
				InitiatorCall *string `json:"initiator_call"`
				Exten         *string `json:"exten"`
				Flow          string  `json:"flow"`
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
			tr, err := m.CreateTransfer(t.UserUUID, *body.InitiatorCall, *body.Exten, body.Flow)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusCreated, tr)
			return nil
		}))
	mux.HandleFunc("GET "+p+"/transfers", s.calldHandler(fixedACL("calld.users.me.transfers.read"),
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			writeJSON(w, http.StatusOK, map[string]any{"items": m.Transfers(t.UserUUID)})
			return nil
		}))
	mux.HandleFunc("PUT "+p+"/transfers/{tid}/complete", s.calldHandler(
		func(r *http.Request) string {
			return "calld.users.me.transfers." + r.PathValue("tid") + ".complete.update"
		},
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.CompleteTransfer(t.UserUUID, r.PathValue("tid")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
	mux.HandleFunc("DELETE "+p+"/transfers/{tid}", s.calldHandler(
		func(r *http.Request) string { return "calld.users.me.transfers." + r.PathValue("tid") + ".delete" },
		func(w http.ResponseWriter, r *http.Request, t *token) error {
			if err := m.CancelTransfer(t.UserUUID, r.PathValue("tid")); err != nil {
				return err
			}
			noContent(w)
			return nil
		}))
}

// routes builds the stack's mux (§9.1, §9.2).
func (s *Stack) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/0.1/token", s.handleCreateToken)
	mux.HandleFunc("/api/auth/0.1/token/{token}", s.handleToken)
	mux.HandleFunc("DELETE /api/auth/0.1/users/{user}/tokens/{client_id}", s.handleDeleteRefreshToken)
	mux.HandleFunc("/api/auth/0.1/status", s.handleStatus)
	mux.HandleFunc("GET /api/confd/1.1/infos", s.handleConfdInfos)
	mux.HandleFunc("GET /api/confd/1.1/users/{uuid}", s.handleConfdUser)
	mux.HandleFunc("GET /api/confd/1.1/users/{uuid}/lines/{line_id}/associated/endpoints/sip", s.handleConfdMergedSIP)
	s.calldRoutes(mux)
	mux.HandleFunc("GET /api/websocketd/{$}", s.handleWebsocket)
	mux.HandleFunc("GET /api/websocketd", s.handleWebsocket)
	// SIP over WebSocket (RFC 7118), exact path as nginx's location (§1, XCFG).
	mux.HandleFunc("/api/asterisk/ws", s.sip.handleWS)
	return mux
}
