package httpside

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// newAgentEnv is newHTTPEnv's stack with one more user, carol, who is agent
// 8001 in two queues, logged in as carol; alice (no agent) exists too.
func newAgentEnv(t *testing.T) (*httpEnv, *eventLog) {
	t.Helper()
	e := newHTTPEnv(t)
	u, err := e.s.AddUser(directory.User{UUID: "33333333-3333-3333-3333-333333333333", Username: "carol", Password: "pw",
		Firstname: "Carol", Lastname: "Agent",
		Lines: []directory.Line{{ID: 50, WebRTC: true, Name: "carolline", Extensions: []directory.Extension{{Exten: "1050", Context: "default"}}}},
		Agent: &directory.Agent{ID: 7, Number: "8001", Queues: []directory.Queue{{ID: 1, Name: "support", DisplayName: "Support"}, {ID: 2, Name: "sales", DisplayName: "Sales"}}}})
	if err != nil {
		t.Fatal(err)
	}
	log := &eventLog{}
	e.s.bus.Subscribe(u.UUID, log.add)
	e.token = ""
	var tok struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if st := e.do("POST", "/api/auth/0.1/token", `{"backend":"wazo_user","expiration":3600}`, func(r *http.Request) { r.SetBasicAuth("carol", "pw") }, &tok); st != 200 {
		t.Fatalf("login %d", st)
	}
	e.token = tok.Data.Token
	e.user = u
	return e, log
}

// eventLog records bus events (the bus calls it synchronously).
type eventLog struct {
	mu  sync.Mutex
	evs []BusEvent
}

func (l *eventLog) add(ev BusEvent) { l.mu.Lock(); l.evs = append(l.evs, ev); l.mu.Unlock() }

// take returns "name data" of the events recorded since the last take.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.evs))
	for _, ev := range l.evs {
		out = append(out, ev.Name+" "+string(ev.Data))
		if ev.RequiredACL != "events.statuses.agents" {
			out = append(out, "bad acl "+ev.RequiredACL)
		}
	}
	l.evs = nil
	return out
}

// TestAgentdUserRoutes follows wazo-agentd's users/me routes through a
// session: each step's status, error body and bus events are the
// platform's (wazo-agentd plugins/agent/http.py, exception.py, wazo-bus
// resources/agent/event.py).
func TestAgentdUserRoutes(t *testing.T) {
	e, log := newAgentEnv(t)
	const p = "/api/agentd/1.0/users/me/agents"
	steps := []struct {
		name, method, path, body string
		status                   int
		errText                  string
		events                   []string
	}{
		{"pause while logged out", "POST", p + "/pause", `{"reason":"lunch"}`, 409, "not logged in", nil},
		{"logoff while logged out", "POST", p + "/logoff", `{}`, 409, "not logged in", nil},
		{"login on another's line", "POST", p + "/login", `{"line_id":999}`, 400, "no such line", nil},
		{"login without line", "POST", p + "/login", `{}`, 400, "invalid fields: line_id", nil},
		{"login body not JSON", "POST", p + "/login", `nope`, 400, "Failed to decode JSON object", nil},
		{"login", "POST", p + "/login", `{"line_id":50}`, 204, "", []string{`agent_status_update {"agent_id":7,"status":"logged_in"}`}},
		{"login twice", "POST", p + "/login", `{"line_id":50}`, 409, "already logged", nil},
		{"reason too long", "POST", p + "/pause", `{"reason":"` + strings.Repeat("é", 81) + `"}`, 400, "invalid fields: reason", nil},
		{"pause", "POST", p + "/pause", `{"reason":"lunch"}`, 204, "", []string{
			`agent_paused {"agent_id":7,"agent_number":"8001","paused":true,"paused_reason":"lunch","queue":"support"}`,
			`agent_paused {"agent_id":7,"agent_number":"8001","paused":true,"paused_reason":"lunch","queue":"sales"}`}},
		{"unpause", "POST", p + "/unpause", ``, 204, "", []string{
			`agent_unpaused {"agent_id":7,"agent_number":"8001","paused":false,"paused_reason":"","queue":"support"}`,
			`agent_unpaused {"agent_id":7,"agent_number":"8001","paused":false,"paused_reason":"","queue":"sales"}`}},
		{"logoff", "POST", p + "/logoff", ``, 204, "", []string{
			`agent_unpaused {"agent_id":7,"agent_number":"8001","paused":false,"paused_reason":"","queue":"support"}`,
			`agent_unpaused {"agent_id":7,"agent_number":"8001","paused":false,"paused_reason":"","queue":"sales"}`,
			`agent_status_update {"agent_id":7,"status":"logged_out"}`}},
	}
	for _, s := range steps {
		var body map[string]any
		got := e.do(s.method, s.path, s.body, nil, &body)
		if got != s.status {
			t.Fatalf("%s: status %d, want %d (%v)", s.name, got, s.status, body)
		}
		if s.errText != "" && body["error"] != s.errText {
			t.Fatalf("%s: body %v, want error %q", s.name, body, s.errText)
		}
		evs := log.take()
		if len(evs) != len(s.events) {
			t.Fatalf("%s: events %q, want %q", s.name, evs, s.events)
		}
		for i := range evs {
			if evs[i] != s.events[i] {
				t.Fatalf("%s: event %d %s, want %s", s.name, i, evs[i], s.events[i])
			}
		}
	}
}

// TestAgentdStatus: GET users/me/agents renders StatusHandler._handle_status
// before and after a login, and is 404 "no such agent" for a user who is no
// agent; a token without the ACL gets 401 "invalid token or unauthorized".
func TestAgentdStatus(t *testing.T) {
	e, _ := newAgentEnv(t)
	const p = "/api/agentd/1.0/users/me/agents"
	var st map[string]any
	if code := e.do("GET", p, "", nil, &st); code != 200 || st["logged"] != false || st["number"] != "8001" || st["id"] != float64(7) ||
		st["extension"] != nil || len(st["queues"].([]any)) != 0 {
		t.Fatalf("logged out: %d %v", code, st)
	}
	if code := e.do("POST", p+"/login", `{"line_id":50}`, nil, nil); code != 204 {
		t.Fatal(code)
	}
	if code := e.do("POST", p+"/pause", `{"reason":"lunch"}`, nil, nil); code != 204 {
		t.Fatal(code)
	}
	st = nil
	e.do("GET", p, "", nil, &st)
	queues, _ := st["queues"].([]any)
	if st["logged"] != true || st["extension"] != "1050" || st["context"] != "default" || st["state_interface"] != "PJSIP/carolline" ||
		st["paused"] != true || st["paused_reason"] != "lunch" || len(queues) != 2 || st["origin_uuid"] != stackUUID {
		t.Fatalf("logged in: %v", st)
	}
	if q := queues[0].(map[string]any); q["name"] != "support" || q["display_name"] != "Support" || q["logged"] != true || q["paused"] != true {
		t.Fatalf("queue %v", q)
	}
	// confd tells the user's agent too.
	var user map[string]any
	e.do("GET", "/api/confd/1.1/users/me", "", nil, &user)
	if ag, _ := user["agent"].(map[string]any); ag["number"] != "8001" || ag["id"] != float64(7) {
		t.Fatalf("confd agent %v", user["agent"])
	}

	// alice has no agent.
	other := newHTTPEnv(t)
	var body map[string]any
	if code := other.do("GET", p, "", nil, &body); code != 404 || body["error"] != "no such agent" {
		t.Fatalf("no agent: %d %v", code, body)
	}
	other.token = "bogus"
	body = nil
	if code := other.do("GET", p, "", nil, &body); code != 401 || body["error"] != "invalid token or unauthorized" {
		t.Fatalf("bad token: %d %v", code, body)
	}
}

// TestAgentdSupervisor: the by-number routes and the Supervisor methods act
// on the same agent; a login on an extension another agent holds is 409,
// on an unknown one 404.
func TestAgentdSupervisor(t *testing.T) {
	e, log := newAgentEnv(t)
	if err := e.s.side.SupervisorLogin("8001", "9999", "default"); err == nil || err.Status != 404 || err.Message != "no such extension and context" {
		t.Fatalf("unknown extension: %v", err)
	}
	if err := e.s.side.SupervisorLogin("8999", "1050", "default"); err == nil || err.Status != 404 || err.Message != "no such agent" {
		t.Fatalf("unknown agent: %v", err)
	}
	if err := e.s.side.SupervisorLogin("8001", "1050", "default"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.side.SupervisorPause("8001", "meeting"); err != nil {
		t.Fatal(err)
	}
	evs := log.take()
	if len(evs) != 3 || evs[0] != `agent_status_update {"agent_id":7,"status":"logged_in"}` {
		t.Fatalf("events %q", evs)
	}
	// The by-number routes need their own ACL, which a user's token lacks.
	if code := e.do("POST", "/api/agentd/1.0/agents/by-number/8001/unpause", "", nil, nil); code != 401 {
		t.Fatalf("by-number with a user token: %d", code)
	}
	var st map[string]any
	e.do("GET", "/api/agentd/1.0/users/me/agents", "", nil, &st)
	if st["paused_reason"] != "meeting" {
		t.Fatalf("status %v", st)
	}
}
