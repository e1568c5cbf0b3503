package httpside

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

type httpEnv struct {
	t     *testing.T
	s     *testStack
	srv   *httptest.Server
	token string
	user  directory.User
}

func newHTTPEnv(t *testing.T, opts ...testOption) *httpEnv {
	t.Helper()
	s := newTestStack(opts...)
	u, err := s.AddUser(directory.User{UUID: hostUUID, Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Agent",
		Lines: []directory.Line{{Protocol: directory.LineSCCP}, {WebRTC: true, Username: "alicewebrtc", Password: "linepw",
			Extensions: []directory.Extension{{Exten: "1000"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(directory.User{UUID: otherUUID, Username: "bob", Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(s.Handler())
	t.Cleanup(func() { s.Close(); srv.Close() })
	e := &httpEnv{t: t, s: s, srv: srv, user: u}
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	status := e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user","expiration":3600}`, func(r *http.Request) { r.SetBasicAuth("alice", "secret") }, &tok)
	if status != 200 || tok.Data.Token == "" {
		t.Fatalf("login %d", status)
	}
	e.token = tok.Data.Token
	return e
}

func (e *httpEnv) do(method, path, body string, mod func(*http.Request), out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json") // even without body (docs/wazo-protocol.md, Calls API)
	req.Header.Set("X-User-UUID", hostUUID)            // tolerated anywhere (docs/wazo-protocol.md, Calls API)
	if e.token != "" {
		req.Header.Set("X-Auth-Token", e.token)
	}
	if mod != nil {
		mod(req)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func TestAuthRoutes(t *testing.T) {
	e := newHTTPEnv(t)
	var authErr struct {
		Reason     []string `json:"reason"`
		StatusCode int      `json:"status_code"`
	}
	if st := e.do("POST", "/api/auth/0.1/token", `{}`, func(r *http.Request) { r.SetBasicAuth("alice", "bad") }, &authErr); st != 401 || authErr.Reason[0] != "Authentication Failed" || authErr.StatusCode != 401 {
		t.Fatalf("bad password: %d %+v", st, authErr)
	}
	if st := e.do("POST", "/api/auth/0.1/token", `{"access_type":"offline"}`, func(r *http.Request) { r.SetBasicAuth("alice", "secret") }, nil); st != 400 {
		t.Fatalf("offline without client_id: %d", st)
	}
	var tok struct {
		Data map[string]any `json:"data"`
	}
	st := e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user","expiration":3600,"access_type":"offline","client_id":"parley"}`,
		func(r *http.Request) { r.SetBasicAuth("alice", "secret"); r.Header.Del("X-Auth-Token") }, &tok)
	if st != 200 || tok.Data["refresh_token"] == nil || tok.Data["metadata"].(map[string]any)["uuid"] != hostUUID {
		t.Fatalf("offline login %d %v", st, tok.Data)
	}
	// wazo-auth's remote_addr is Flask's request.remote_addr: no port.
	if tok.Data["remote_addr"] != "127.0.0.1" {
		t.Fatalf("remote_addr %v, want the IP only", tok.Data["remote_addr"])
	}
	refresh := tok.Data["refresh_token"].(string)
	e.token = ""
	tok.Data = nil
	st = e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user","expiration":3600,"refresh_token":"`+refresh+`","client_id":"parley"}`, nil, &tok)
	if st != 200 || tok.Data["refresh_token"] != nil {
		t.Fatalf("refresh %d %v", st, tok.Data)
	}
	newTok := tok.Data["token"].(string)
	if st := e.do("POST", "/api/auth/0.1/token", `{"refresh_token":"`+refresh+`","client_id":"other"}`, nil, nil); st != 401 {
		t.Fatalf("refresh with wrong client id: %d", st)
	}
	if st := e.do("HEAD", "/api/auth/0.1/token/"+newTok, "", nil, nil); st != 204 {
		t.Fatalf("HEAD token %d", st)
	}
	if st := e.do("HEAD", "/api/auth/0.1/status", "", nil, nil); st != 401 {
		t.Fatalf("HEAD status %d", st)
	}
	e.s.ExpireToken(newTok)
	if st := e.do("GET", "/api/auth/0.1/token/"+newTok, "", nil, &authErr); st != 404 || authErr.Reason[0] != "No such token" {
		t.Fatalf("GET expired token %d %v", st, authErr)
	}
	e.token = newTok
	// the refreshed token is expired: calld answers 401 unauthorized
	var ce struct {
		ErrorID string         `json:"error_id"`
		Details map[string]any `json:"details"`
	}
	if st := e.do("GET", "/api/calld/1.0/users/me/calls", "", nil, &ce); st != 401 || ce.ErrorID != "unauthorized" || ce.Details["reason"] != "not_found_or_expired" {
		t.Fatalf("calld with expired token %d %+v", st, ce)
	}
}

func TestConfdRoutes(t *testing.T) {
	e := newHTTPEnv(t)
	var user struct {
		UUID  string `json:"uuid"`
		Lines []struct {
			ID          int            `json:"id"`
			EndpointSIP map[string]any `json:"endpoint_sip"`
		} `json:"lines"`
	}
	if st := e.do("GET", "/api/confd/1.1/users/"+hostUUID, "", nil, &user); st != 200 || len(user.Lines) != 2 {
		t.Fatalf("user %d %+v", st, user)
	}
	if st := e.do("GET", "/api/confd/1.1/users/"+otherUUID, "", nil, nil); st != 401 {
		t.Fatalf("other user's profile: %d", st)
	}
	sccp := user.Lines[0].ID
	if st := e.do("GET", "/api/confd/1.1/users/"+hostUUID+"/lines/"+itoa(sccp)+"/associated/endpoints/sip?view=merged", "", nil, nil); st != 404 {
		t.Fatalf("sccp line: %d", st)
	}
	var ep struct {
		Auth     [][2]string `json:"auth_section_options"`
		Endpoint [][2]string `json:"endpoint_section_options"`
	}
	if st := e.do("GET", "/api/confd/1.1/users/"+hostUUID+"/lines/"+itoa(user.Lines[1].ID)+"/associated/endpoints/sip?view=merged", "", nil, &ep); st != 200 {
		t.Fatalf("merged: %d", st)
	}
	hasOpt := func(opts [][2]string, k, v string) bool {
		for _, o := range opts {
			if o[0] == k && o[1] == v {
				return true
			}
		}
		return false
	}
	if !hasOpt(ep.Endpoint, "webrtc", "yes") || !hasOpt(ep.Auth, "username", "alicewebrtc") || !hasOpt(ep.Auth, "password", "linepw") {
		t.Fatalf("merged endpoint %+v", ep)
	}
	var infos map[string]any
	if st := e.do("GET", "/api/confd/1.1/infos", "", nil, &infos); st != 200 || infos["wazo_version"] == nil {
		t.Fatalf("infos %d %v", st, infos)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestCalldErrorPaths: every error_id the calld routes produce, over HTTP.
func TestCalldErrorPaths(t *testing.T) {
	e := newHTTPEnv(t)
	m := e.s.Calls()
	h1, p1, h2, p2 := twoCalls(t, m)
	lone, _ := m.NewChannel(callmodel.ChannelSpec{UserUUID: hostUUID})
	bobLeg, _ := m.NewChannel(callmodel.ChannelSpec{UserUUID: otherUUID})
	h3, _ := m.NewChannel(callmodel.ChannelSpec{UserUUID: hostUUID})
	p3, _ := m.NewChannel(callmodel.ChannelSpec{})
	m.Bridge(h3.CallID, p3.CallID)
	const a = "/api/calld/1.0/users/me"
	var cid struct {
		ConferenceID string `json:"conference_id"`
	}
	steps := []struct {
		name, method, path, body string
		status                   int
		errorID                  string
		token                    string
	}{
		{"no token", "GET", a + "/calls", "", 401, "unauthorized", "-"},
		{"bad token", "GET", a + "/calls", "", 401, "unauthorized", "bogus"},
		{"list", "GET", a + "/calls", "", 200, "", ""},
		{"hangup missing", "DELETE", a + "/calls/9.9", "", 404, "no-such-call", ""},
		{"hangup not owned", "DELETE", a + "/calls/" + bobLeg.CallID, "", 403, "user-permission-denied", ""},
		{"mute missing", "PUT", a + "/calls/9.9/mute/start", "", 404, "no-such-call", ""},
		{"mute", "PUT", a + "/calls/" + h1 + "/mute/start", "", 204, "", ""},
		{"hold missing", "PUT", a + "/calls/9.9/hold/start", "", 404, "no-such-call", ""},
		{"dtmf bad digits", "PUT", a + "/calls/" + h1 + "/dtmf?digits=x", "", 400, "invalid-data", ""},
		{"click-to-call without extension", "POST", a + "/calls", `{}`, 400, "invalid-data", ""},
		{"click-to-call", "POST", a + "/calls", `{"extension":"1234"}`, 400, "call-creation", ""},
		{"adhoc bad json", "POST", a + "/conferences/adhoc", `nope`, 400, "invalid-data", ""},
		{"adhoc empty body", "POST", a + "/conferences/adhoc", ``, 400, "invalid-data", ""},
		{"adhoc missing host", "POST", a + "/conferences/adhoc", `{"participant_call_ids":[]}`, 400, "invalid-data", ""},
		{"adhoc host not found", "POST", a + "/conferences/adhoc", `{"host_call_id":"9.9","participant_call_ids":[]}`, 400, "host-call-not-found", ""},
		{"adhoc lone host", "POST", a + "/conferences/adhoc", `{"host_call_id":"` + lone.CallID + `","participant_call_ids":[]}`, 400, "host-call-creation-error", ""},
		{"adhoc participant not found", "POST", a + "/conferences/adhoc", `{"host_call_id":"` + h1 + `","participant_call_ids":["9.9"]}`, 400, "participant-call-not-found", ""},
		{"adhoc create", "POST", a + "/conferences/adhoc", `{"host_call_id":"` + h1 + `","participant_call_ids":["` + p1 + `","` + p2 + `"]}`, 201, "", ""},
		{"adhoc host already in conference", "POST", a + "/conferences/adhoc", `{"host_call_id":"` + h1 + `","participant_call_ids":[]}`, 409, "host-already-in-conference", ""},
		{"add to missing conference", "PUT", a + "/conferences/adhoc/nope/participants/" + p2, "", 404, "adhoc-conference-not-found", ""},
		{"add", "PUT", a + "/conferences/adhoc/{cid}/participants/" + p3.CallID, "", 204, "", ""},
		{"add again", "PUT", a + "/conferences/adhoc/{cid}/participants/" + p3.CallID, "", 409, "participant-already-in-conference", ""},
		{"add lone", "PUT", a + "/conferences/adhoc/{cid}/participants/" + lone.CallID, "", 400, "participant-call-not-found", ""},
		{"remove non-member", "DELETE", a + "/conferences/adhoc/{cid}/participants/" + lone.CallID, "", 400, "participant-call-not-found", ""},
		{"remove from missing conference", "DELETE", a + "/conferences/adhoc/nope/participants/" + p2, "", 404, "adhoc-conference-not-found", ""},
		{"remove", "DELETE", a + "/conferences/adhoc/{cid}/participants/" + p3.CallID, "", 204, "", ""},
		{"delete", "DELETE", a + "/conferences/adhoc/{cid}", "", 204, "", ""},
		{"delete again", "DELETE", a + "/conferences/adhoc/{cid}", "", 404, "adhoc-conference-not-found", ""},
		{"transfer missing call", "POST", a + "/transfers", `{"initiator_call":"9.9","exten":"1"}`, 400, "transfer-creation-error", ""},
		{"complete missing transfer", "PUT", a + "/transfers/nope/complete", "", 404, "no-such-transfer", ""},
	}
	_ = h2
	for _, st := range steps {
		var body struct {
			ErrorID string `json:"error_id"`
			Message string `json:"message"`
		}
		path := strings.ReplaceAll(st.path, "{cid}", cid.ConferenceID)
		saved := e.token
		switch st.token {
		case "-":
			e.token = ""
		case "":
		default:
			e.token = st.token
		}
		var out any = &body
		if st.name == "adhoc create" {
			out = &cid
		}
		got := e.do(st.method, path, st.body, nil, out)
		e.token = saved
		if got != st.status || body.ErrorID != st.errorID {
			t.Errorf("%s: got %d %q, want %d %q", st.name, got, body.ErrorID, st.status, st.errorID)
		}
	}
}
