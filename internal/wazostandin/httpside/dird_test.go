package httpside

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// TestDirdAndCallLogdRoutes: status codes and error bodies of the wazo-dird
// and wazo-call-logd routes (default_json/http.py, personal/http.py,
// cdr/http.py), the ACL each needs, and nginx's 502 while dird is down.
func TestDirdAndCallLogdRoutes(t *testing.T) {
	e := newHTTPEnv(t)
	e.s.side.AddPhonebook(PhonebookEntry{ID: "c1", Firstname: "Hélène", Lastname: "Martin", Company: "Acme", Number: "0123"})
	const d, cl = "/api/dird/0.1", "/api/call-logd/1.0"
	for _, tc := range []struct {
		method, path string
		status       int
		want         string // in the body
	}{
		{"GET", d + "/directories/lookup/default?term=acme", 200, `"Entreprise"`},
		{"GET", d + "/directories/lookup/default", 400, `term is missing`},
		{"GET", d + "/directories/lookup/other?term=x", 404, "The profile `other` does not exist"},
		{"GET", d + "/directories/reverse/default/me?exten=0123", 200, `"display":"Hélène Martin"`},
		{"GET", d + "/directories/reverse/default/" + hostUUID + "?exten=9", 200, `"display":null`},
		{"PUT", d + "/directories/favorites/phonebook/c1", 204, ""},
		{"PUT", d + "/directories/favorites/phonebook/c1", 409, "duplicate"},
		{"PUT", d + "/directories/favorites/ldap/c1", 404, "No such source: ldap"},
		{"GET", d + "/directories/favorites/default", 200, `"source_entry_id":"c1"`},
		{"DELETE", d + "/directories/favorites/phonebook/c1", 204, ""},
		{"DELETE", d + "/directories/favorites/phonebook/c1", 404, "No such favorite"},
		{"GET", d + "/personal", 200, `{"items":[]}`},
		{"GET", cl + "/users/me/cdr", 200, `"total":0`},
		{"GET", cl + "/users/me/cdr?limit=-1", 400, `"error_id":"invalid-data"`},
		{"GET", cl + "/users/me/cdr?call_direction=sideways", 400, `call_direction`},
	} {
		raw := e.raw(tc.method, tc.path)
		if raw.status != tc.status || !strings.Contains(raw.body, tc.want) {
			t.Errorf("%s %s: %d %s, want %d with %q", tc.method, tc.path, raw.status, raw.body, tc.status, tc.want)
		}
	}

	// A token without the dird and call-logd ACLs is refused with the
	// required access named.
	if _, err := e.s.AddUser(directory.User{Username: "carol", Password: "pw", ACL: []string{"calld.users.me.#"}}); err != nil {
		t.Fatal(err)
	}
	e.loginAs("carol", "pw")
	for path, acl := range map[string]string{
		d + "/directories/lookup/default?term=x":  "dird.directories.lookup.default.read",
		d + "/directories/favorites/phonebook/c1": "",
		cl + "/users/me/cdr":                      "call-logd.users.me.cdr.read",
	} {
		method := "GET"
		if acl == "" {
			method, acl = "PUT", "dird.directories.favorites.phonebook.c1.update"
		}
		raw := e.raw(method, path)
		if raw.status != 401 || !strings.Contains(raw.body, acl) {
			t.Errorf("%s without ACL: %d %s", path, raw.status, raw.body)
		}
	}

	e.s.side.SetDirdDown(true)
	if raw := e.raw("GET", d+"/directories/lookup/default?term=x"); raw.status != http.StatusBadGateway || !strings.Contains(raw.body, "502 Bad Gateway") {
		t.Errorf("dird down: %d %s", raw.status, raw.body)
	}
}

// TestCDRFromAnInternalCall: alice calls bob; both legs end; one CDR with
// alice as the source and bob as the destination, listed for both.
func TestCDRFromAnInternalCall(t *testing.T) {
	e := newHTTPEnv(t)
	m := e.s.Calls()
	a, err := m.NewChannel(callmodel.ChannelSpec{UserUUID: hostUUID, IsCaller: true, CallerIDName: "Alice Agent", CallerIDNumber: "1000",
		PeerCallerIDNumber: "2000", DialedExtension: "2000"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.NewChannel(callmodel.ChannelSpec{UserUUID: otherUUID, CallerIDName: "Bob", CallerIDNumber: "2000",
		PeerCallerIDName: "Alice Agent", PeerCallerIDNumber: "1000", LinkedTo: a.CallID})
	m.Answer(b.CallID)
	m.Answer(a.CallID)
	if _, err := m.Bridge(a.CallID, b.CallID); err != nil {
		t.Fatal(err)
	}
	if err := m.Hangup(a.CallID, callmodel.CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	_ = m.Hangup(b.CallID, callmodel.CauseNormalClearing)
	cdrs := e.s.side.CDRs()
	if len(cdrs) != 1 {
		t.Fatalf("CDRs: %+v", cdrs)
	}
	c := cdrs[0]
	if c.SourceUserUUID != hostUUID || c.SourceExtension != "1000" || c.DestinationUserUUID != otherUUID || c.DestinationName != "Bob" ||
		c.DestinationExtension != "2000" || c.RequestedExtension != "2000" || c.ConversationID != a.CallID || c.Answer.IsZero() || c.CallDirection != "internal" {
		t.Errorf("CDR: %+v", c)
	}
	if raw := e.raw("GET", "/api/call-logd/1.0/users/me/cdr"); raw.status != 200 || !strings.Contains(raw.body, `"destination_name":"Bob"`) ||
		!strings.Contains(raw.body, `"call_status":"answered"`) {
		t.Errorf("alice's list: %d %s", raw.status, raw.body)
	}
}

type rawResponse struct {
	status int
	body   string
}

// raw runs a request and returns its status and body text.
func (e *httpEnv) raw(method, path string) rawResponse {
	e.t.Helper()
	var out rawResponse
	req, _ := http.NewRequest(method, e.srv.URL+path, nil)
	req.Header.Set("X-Auth-Token", e.token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out.status, out.body = resp.StatusCode, string(b)
	return out
}

// loginAs replaces the env's token with one for username.
func (e *httpEnv) loginAs(username, password string) {
	e.t.Helper()
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	e.token = ""
	if st := e.do("POST", "/api/auth/0.1/token", `{"expiration":3600}`, func(r *http.Request) { r.SetBasicAuth(username, password) }, &tok); st != 200 {
		e.t.Fatalf("login %s: %d", username, st)
	}
	e.token = tok.Data.Token
}
