package httpside

import (
	"net/http"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// TestTransferRoutesNeedTheirACL: each transfers route asks for calld's
// ACL name (wazo-calld plugins/transfers/http.py); a token holding only
// the read ACL is refused the others with 401 naming the one it lacks.
func TestTransferRoutesNeedTheirACL(t *testing.T) {
	e := newHTTPEnv(t)
	if _, err := e.s.AddUser(directory.User{UUID: "33333333-3333-3333-3333-333333333333", Username: "carol", Password: "pw3",
		ACL: []string{"calld.users.me.transfers.read"}}); err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if st := e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user"}`, func(r *http.Request) { r.SetBasicAuth("carol", "pw3") }, &tok); st != 200 {
		t.Fatalf("login %d", st)
	}
	e.token = tok.Data.Token
	const a = "/api/calld/1.0/users/me/transfers"
	cases := []struct {
		method, path, body string
		status             int
		required           string
	}{
		{"GET", a, "", 200, ""},
		{"POST", a, `{"initiator_call":"1.1","exten":"1002"}`, 401, "calld.users.me.transfers.create"},
		{"PUT", a + "/t1/complete", "", 401, "calld.users.me.transfers.t1.complete.update"},
		{"DELETE", a + "/t1", "", 401, "calld.users.me.transfers.t1.delete"},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			var body struct {
				ErrorID string         `json:"error_id"`
				Details map[string]any `json:"details"`
			}
			if st := e.do(tc.method, tc.path, tc.body, nil, &body); st != tc.status {
				t.Fatalf("status %d, want %d", st, tc.status)
			}
			if tc.required != "" && (body.ErrorID != "unauthorized" || body.Details["required_access"] != tc.required) {
				t.Fatalf("error %+v, want required_access %s", body, tc.required)
			}
		})
	}
}
