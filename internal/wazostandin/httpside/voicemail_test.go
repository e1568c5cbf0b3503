package httpside

import (
	"net/http"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// TestVoicemailRoutes: the users/me voicemail routes with calld's status
// codes, error ids and ACL names; the recording is audio/wav and takes the
// token from the query too.
func TestVoicemailRoutes(t *testing.T) {
	e := newHTTPEnv(t)
	var errBody struct {
		ErrorID string         `json:"error_id"`
		Details map[string]any `json:"details"`
	}
	if st := e.do("GET", "/api/calld/1.0/users/me/voicemails", "", nil, &errBody); st != 404 || errBody.ErrorID != "no-such-user-voicemail" {
		t.Fatalf("no mailbox: %d %+v", st, errBody)
	}
	box := e.s.calls.AddVoicemail(hostUUID, "1000", "Alice")
	msg, err := e.s.calls.LeaveVoicemail(hostUUID, callmodel.NewVoicemail{CallerIDNum: "5550100", Duration: 2 * time.Second, Audio: []byte("RIFF....WAVE")})
	if err != nil {
		t.Fatal(err)
	}
	if msg.CallerIDName != nil || *msg.CallerIDNum != "5550100" || msg.Folder.ID != callmodel.FolderInbox || msg.Voicemail.ID != box {
		t.Fatalf("left %+v", msg)
	}
	var mb callmodel.VoicemailBox
	if st := e.do("GET", "/api/calld/1.0/users/me/voicemails", "", nil, &mb); st != 200 || mb.ID != box || len(mb.Folders) != 6 ||
		mb.Folders[0].Type != "new" || len(mb.Folders[0].Messages) != 1 || mb.Folders[0].Messages[0].ID != msg.ID {
		t.Fatalf("mailbox %d %+v", st, mb)
	}
	var f callmodel.VoicemailFolderContents
	if st := e.do("GET", "/api/calld/1.0/users/me/voicemails/folders/2", "", nil, &f); st != 200 || f.Name != "old" || len(f.Messages) != 0 {
		t.Fatalf("old folder %d %+v", st, f)
	}
	base := "/api/calld/1.0/users/me/voicemails/messages/" + msg.ID
	for _, tc := range []struct {
		method, path, body string
		status             int
		errorID            string
	}{
		{"GET", "/api/calld/1.0/users/me/voicemails/folders/x", "", 400, "invalid-voicemail-folder-id"},
		{"GET", "/api/calld/1.0/users/me/voicemails/folders/9", "", 404, "no-such-voicemail-folder"},
		{"GET", "/api/calld/1.0/users/me/voicemails/messages/a_b", "", 400, "invalid-voicemail-message-id"},
		{"GET", "/api/calld/1.0/users/me/voicemails/messages/1-2", "", 404, "no-such-voicemail-message"},
		{"PUT", base, `{"folder_id":"old"}`, 400, "invalid-data"},
		{"PUT", base, `{}`, 400, "invalid-data"},
		{"PUT", base, `{"folder_id":7}`, 404, "no-such-voicemail-folder"},
		{"PUT", base, `{"folder_id":2}`, 204, ""},
		{"DELETE", "/api/calld/1.0/users/me/voicemails/messages/1-2", "", 404, "no-such-voicemail-message"},
	} {
		errBody.ErrorID = ""
		if st := e.do(tc.method, tc.path, tc.body, nil, &errBody); st != tc.status || errBody.ErrorID != tc.errorID {
			t.Errorf("%s %s %s: %d %q, want %d %q", tc.method, tc.path, tc.body, st, errBody.ErrorID, tc.status, tc.errorID)
		}
	}

	// The recording: header token, query token, download.
	req, _ := http.NewRequest("GET", e.srv.URL+base+"/recording?download=1&token="+e.token, nil)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" ||
		resp.Header.Get("Content-Disposition") != "attachment;filename=vm-msg-"+msg.ID+".wav" {
		t.Fatalf("recording: %d %v", resp.StatusCode, resp.Header)
	}
	// Only the recording takes the query token.
	if st := e.do("GET", base+"?token="+e.token, "", func(r *http.Request) { r.Header.Del("X-Auth-Token") }, &errBody); st != 401 {
		t.Fatalf("message with a query token: %d", st)
	}
}

// TestVoicemailACL: a token without the voicemail ACL is refused with the
// ACL calld requires.
func TestVoicemailACL(t *testing.T) {
	e := newHTTPEnv(t)
	if _, err := e.s.AddUser(directory.User{Username: "limited", Password: "pw", ACL: []string{"calld.users.me.calls.read"}}); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	e.token = ""
	if st := e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user","expiration":3600}`, func(r *http.Request) { r.SetBasicAuth("limited", "pw") }, &tok); st != 200 {
		t.Fatalf("login %d", st)
	}
	e.token = tok.Data.Token
	for path, acl := range map[string]string{
		"/api/calld/1.0/users/me/voicemails":                        "calld.users.me.voicemails.read",
		"/api/calld/1.0/users/me/voicemails/folders/1":              "calld.users.me.voicemails.folders.1.read",
		"/api/calld/1.0/users/me/voicemails/messages/1-2":           "calld.users.me.voicemails.messages.1-2.read",
		"/api/calld/1.0/users/me/voicemails/messages/1-2/recording": "calld.users.me.voicemails.messages.1-2.recording.read",
		"/api/calld/1.0/users/me/calls/1.1/record/pause":            "calld.users.me.calls.1_1.record.pause.update",
	} {
		var body struct {
			ErrorID string         `json:"error_id"`
			Details map[string]any `json:"details"`
		}
		method := "GET"
		if acl[len(acl)-6:] == "update" {
			method = "PUT"
		}
		if st := e.do(method, path, "", nil, &body); st != 401 || body.Details["required_access"] != acl {
			t.Errorf("%s %s: %d %+v, want 401 requiring %s", method, path, st, body, acl)
		}
	}
}
