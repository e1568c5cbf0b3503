package wazo

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// agentEnv adds carol, agent 8001 in two queues with line 70 (extension
// 1070), to the usual stack and logs her in.
func agentEnv(t *testing.T) (*env, *Client) {
	t.Helper()
	e := newEnv(t, nil)
	if _, err := e.stack.AddUser(wazostandin.User{UUID: carolUUID, Username: "carol", Password: "pw",
		Lines: []wazostandin.Line{{ID: 70, WebRTC: true, Username: "carol-webrtc", Password: "x", Extensions: []wazostandin.Extension{{Exten: "1070", Context: "default"}}}},
		Agent: &wazostandin.Agent{ID: 3, Number: "8001", Queues: []wazostandin.Queue{{ID: 1, Name: "support", DisplayName: "Support"}, {ID: 2, Name: "sales", DisplayName: "Sales"}}},
	}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if _, err := c.Login(ctx(t), "carol", "pw"); err != nil {
		t.Fatal(err)
	}
	return e, c
}

// TestAgentdSession runs the agent's session against the stand-in: each
// call's error is the typed sentinel of wazo-agentd's error text, and the
// status follows.
func TestAgentdSession(t *testing.T) {
	_, c := agentEnv(t)
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"pause logged out", func() error { return c.AgentPause(ctx(t), "lunch") }, ErrAgentNotLoggedIn},
		{"unpause logged out", func() error { return c.AgentUnpause(ctx(t)) }, ErrAgentNotLoggedIn},
		{"logoff logged out", func() error { return c.AgentLogoff(ctx(t)) }, ErrAgentNotLoggedIn},
		{"login on a line not hers", func() error { return c.AgentLogin(ctx(t), 9999) }, ErrAgentNoSuchLine},
		{"login", func() error { return c.AgentLogin(ctx(t), 70) }, nil},
		{"login again", func() error { return c.AgentLogin(ctx(t), 70) }, ErrAgentAlreadyLoggedIn},
		{"pause without reason", func() error { return c.AgentPause(ctx(t), "") }, nil},
		{"pause with reason", func() error { return c.AgentPause(ctx(t), "lunch") }, nil},
		{"reason too long", func() error { return c.AgentPause(ctx(t), strings.Repeat("x", 81)) }, ErrInvalidData},
	}
	for _, s := range steps {
		err := s.do()
		if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
		if s.want != nil && !strings.Contains(err.Error(), s.want.Error()) {
			t.Fatalf("%s: message %q does not say %q", s.name, err, s.want)
		}
	}
	st, err := c.AgentStatus(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !st.Logged || !st.Paused || st.PausedReason != "lunch" || st.Number != "8001" || st.ID != 3 || st.Extension != "1070" ||
		st.Context != "default" || len(st.Queues) != 2 || st.Queues[1].DisplayName != "Sales" || !st.Queues[1].Paused {
		t.Fatalf("status %+v", st)
	}
	if err := c.AgentUnpause(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.AgentLogoff(ctx(t)); err != nil {
		t.Fatal(err)
	}
	st, err = c.AgentStatus(ctx(t))
	if err != nil || st.Logged || st.Paused || st.Extension != "" || len(st.Queues) != 0 {
		t.Fatalf("after logoff %+v %v", st, err)
	}
}

// TestAgentdNoAgent: a user who is no agent gets ErrNoAgent, worded.
func TestAgentdNoAgent(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	_, err := c.AgentStatus(ctx(t))
	if !errors.Is(err, ErrNoAgent) || err.Error() != ErrNoAgent.Error()+" (Wazo said: no such agent)" {
		t.Fatalf("%v", err)
	}
}

// TestAgentdRequests checks the wire: paths, bodies (pause always sends a
// JSON object, get_json(force=True)), and errors from a server that is not
// the stand-in (an unknown refusal, malformed JSON).
func TestAgentdRequests(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 512)
		n, _ := r.Body.Read(b)
		got.Store(r.Method + " " + r.URL.Path + " " + string(b[:n]))
		switch {
		case strings.HasSuffix(r.URL.Path, "/agents") && r.Method == "GET":
			w.Write([]byte(`{"id": 1, "logged": tru`))
		case strings.HasSuffix(r.URL.Path, "/unpause"):
			w.WriteHeader(500)
			w.Write([]byte(`{"error": "server error"}`))
		default:
			w.WriteHeader(204)
		}
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, WithTLSConfig(srv.Client().Transport.(*http.Transport).TLSClientConfig))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetSession(Session{Token: "t", UserUUID: "u", ExpiresAt: time.Now().Add(time.Hour)})
	for _, tc := range []struct {
		name string
		do   func() error
		wire string
		want error
	}{
		{"login", func() error { return c.AgentLogin(ctx(t), 4) }, `POST /api/agentd/1.0/users/me/agents/login {"line_id":4}`, nil},
		{"pause no reason", func() error { return c.AgentPause(ctx(t), "") }, `POST /api/agentd/1.0/users/me/agents/pause {}`, nil},
		{"pause", func() error { return c.AgentPause(ctx(t), "lunch") }, `POST /api/agentd/1.0/users/me/agents/pause {"reason":"lunch"}`, nil},
		{"logoff", func() error { return c.AgentLogoff(ctx(t)) }, `POST /api/agentd/1.0/users/me/agents/logoff {}`, nil},
		{"unpause 500", func() error { return c.AgentUnpause(ctx(t)) }, `POST /api/agentd/1.0/users/me/agents/unpause {}`, ErrServer},
		{"status malformed", func() error { _, err := c.AgentStatus(ctx(t)); return err }, `GET /api/agentd/1.0/users/me/agents `, ErrBadResponse},
	} {
		err := tc.do()
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if w, _ := got.Load().(string); w != tc.wire {
			t.Fatalf("%s: wire %q, want %q", tc.name, w, tc.wire)
		}
	}
}

// TestAgentdEvents: a supervisor's pause reaches the agent's event socket
// as agent_paused per queue, and each event decodes.
func TestAgentdEvents(t *testing.T) {
	e, c := agentEnv(t)
	evs := &events{}
	var resyncs atomic.Int32
	startSocket(t, c, evs, &resyncs)
	if err := e.stack.SupervisorLogin("8001", "1070", "default"); err != nil {
		t.Fatal(err)
	}
	if err := e.stack.SupervisorPause("8001", "coaching"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two agent_paused", func() bool {
		n := 0
		for _, name := range evs.names() {
			if name == "agent_paused" {
				n++
			}
		}
		return n == 2
	})
	login, _ := evs.find(func(ev Event) bool { return ev.Name == "agent_status_update" })
	if st, err := login.AgentStatusUpdate(); err != nil || st.AgentID != 3 || st.Status != "logged_in" || !login.IsAgentEvent() || !login.ForUser(carolUUID) {
		t.Fatalf("status event %+v %v", st, err)
	}
	pause, _ := evs.find(func(ev Event) bool { return ev.Name == "agent_paused" })
	if p, err := pause.AgentPause(); err != nil || !p.Paused || p.PausedReason != "coaching" || p.Queue != "support" || p.AgentNumber != "8001" {
		t.Fatalf("pause event %+v %v", p, err)
	}
	if _, err := (Event{Name: "agent_paused", Data: []byte(`[`)}).AgentPause(); !errors.Is(err, ErrBadResponse) {
		t.Fatalf("malformed: %v", err)
	}
}
