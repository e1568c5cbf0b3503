package httpside

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
)

// voicemailRouteTable lists the users/me voicemail routes of wazo-calld
// (plugins/voicemails/plugin.py, http.py; ACL names from the
// @required_acl of each resource). The greetings routes are not served.
func (s *Side) voicemailRouteTable() []calldRoute {
	const p = calldPrefix + "/voicemails"
	msgACL := func(suffix string) func(*http.Request) string {
		return func(r *http.Request) string {
			return "calld.users.me.voicemails.messages." + r.PathValue("mid") + suffix
		}
	}
	return []calldRoute{
		{"GET " + p, fixedACL("calld.users.me.voicemails.read"), s.getVoicemail},
		{"GET " + p + "/folders/{fid}", func(r *http.Request) string {
			return "calld.users.me.voicemails.folders." + r.PathValue("fid") + ".read"
		}, s.getVoicemailFolder},
		{"GET " + p + "/messages/{mid}", msgACL(".read"), s.getVoicemailMessage},
		{"PUT " + p + "/messages/{mid}", msgACL(".update"), s.moveVoicemailMessage},
		{"DELETE " + p + "/messages/{mid}", msgACL(".delete"), s.deleteVoicemailMessage},
		{"GET " + p + "/messages/{mid}/recording", msgACL(".recording.read"), s.getVoicemailRecording},
	}
}

// voicemailRoutes mounts them. The recording route also takes the token
// as ?token= (wazo-calld auth.py extract_token_id_from_query_or_header), so
// an audio element can play the URL the SDK builds (SDK src/api/calld.ts
// getVoicemailUrl).
func (s *Side) voicemailRoutes(mux *http.ServeMux) {
	for _, rt := range s.voicemailRouteTable() {
		h := s.calldHandler(rt.acl, rt.handle)
		if strings.HasSuffix(rt.pattern, "/recording") {
			h = tokenFromQuery(h)
		}
		mux.HandleFunc(rt.pattern, h)
	}
}

func tokenFromQuery(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("token"); tok != "" && r.Header.Get("X-Auth-Token") == "" {
			r = r.Clone(r.Context())
			r.Header.Set("X-Auth-Token", tok)
		}
		h(w, r)
	}
}

func (s *Side) getVoicemail(w http.ResponseWriter, _ *http.Request, t *token) error {
	box, err := s.calls.UserVoicemail(t.UserUUID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, box)
	return nil
}

// parseFolderID is http.py _validate_folder_id: a natural number, else
// 400 invalid-voicemail-folder-id.
func parseFolderID(raw string) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, callmodel.InvalidVoicemailFolderIDError(raw)
	}
	return n, nil
}

func (s *Side) getVoicemailFolder(w http.ResponseWriter, r *http.Request, t *token) error {
	id, err := parseFolderID(r.PathValue("fid"))
	if err != nil {
		return err
	}
	f, err := s.calls.UserVoicemailFolder(t.UserUUID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Side) getVoicemailMessage(w http.ResponseWriter, r *http.Request, t *token) error {
	m, err := s.calls.UserVoicemailMessage(t.UserUUID, r.PathValue("mid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// moveVoicemailMessage is the PUT with {"folder_id": int} (schemas.py
// VoicemailMessageUpdateSchema: required integer).
func (s *Side) moveVoicemailMessage(w http.ResponseWriter, r *http.Request, t *token) error {
	var body struct {
		FolderID *int `json:"folder_id"`
	}
	if err := decodeObject(r, &body); err != nil {
		return fieldError("folder_id", "type", "Not a valid integer.")
	}
	if body.FolderID == nil {
		return fieldError("folder_id", "required", "Missing data for required field.")
	}
	return done(w, s.calls.MoveUserVoicemailMessage(t.UserUUID, r.PathValue("mid"), *body.FolderID))
}

func (s *Side) deleteVoicemailMessage(w http.ResponseWriter, r *http.Request, t *token) error {
	return done(w, s.calls.DeleteUserVoicemailMessage(t.UserUUID, r.PathValue("mid")))
}

// getVoicemailRecording answers audio/wav; with ?download=1 it adds the
// Content-Disposition calld sends (http.py _BaseVoicemailRecordingResource).
func (s *Side) getVoicemailRecording(w http.ResponseWriter, r *http.Request, t *token) error {
	audio, err := s.calls.UserVoicemailRecording(t.UserUUID, r.PathValue("mid"))
	if err != nil {
		return err
	}
	if r.URL.Query().Get("download") == "1" {
		w.Header().Set("Content-Disposition", "attachment;filename=vm-msg-"+r.PathValue("mid")+".wav")
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(audio)
	return nil
}
