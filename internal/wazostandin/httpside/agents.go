package httpside

import (
	"net/http"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// The error strings of wazo-agentd's HTTP API (wazo-agentd
// wazo_agentd/exception.py: "part of the exposed HTTP API; don't rename
// them"), with the status http.py's _common_error_handler gives each.
const (
	agentdNoSuchAgent     = "no such agent"
	agentdNoSuchLine      = "no such line"
	agentdAlreadyLogged   = "already logged"
	agentdNotLogged       = "not logged in"
	agentdAlreadyInUse    = "extension and context already in use"
	agentdNoSuchExten     = "no such extension and context"
	agentdEventACL        = "events.statuses.agents" // wazo-bus resources/agent/event.py required_acl_fmt
	agentdStatusLoggedIn  = "logged_in"
	agentdStatusLoggedOut = "logged_out"
)

// AgentError is a wazo-agentd refusal: the body is {"error": Message}
// (wazo-agentd wazo_agentd/http.py), not calld's envelope.
type AgentError struct {
	Status  int
	Message string
}

func (e *AgentError) Error() string { return e.Message }

func agentErr(status int, msg string) *AgentError { return &AgentError{Status: status, Message: msg} }

// agentStatus is one logged-in agent's row of agent_login_status with its
// queue memberships (xivo-dao agent_status_dao), what wazo-agentd's
// StatusHandler renders.
type agentStatus struct {
	extension, context, stateInterface string
	paused                             bool
	reason                             string
	queues                             []queueStatus
	loginAt                            time.Time
}

type queueStatus struct {
	directory.Queue
	logged, paused bool
	reason         string
}

// agentd is wazo-agentd's state: which agents are logged in, on which
// extension, paused or not. Agents themselves (id, number, queues) are the
// directory's. Every change publishes its bus events while holding mu, so
// subscribers see them in order.
type agentd struct {
	users *directory.Directory
	bus   *Bus
	now   func() time.Time
	uuid  string // origin_uuid of the status

	mu     sync.Mutex
	logged map[int]*agentStatus // by agent id
}

func newAgentd(users *directory.Directory, bus *Bus, now func() time.Time, stackUUID string) *agentd {
	return &agentd{users: users, bus: bus, now: now, uuid: stackUUID, logged: map[int]*agentStatus{}}
}

// userAgent is the agent of a user, or 404 "no such agent" (wazo-agentd
// dao.py get_agent_by_user_uuid).
func (a *agentd) userAgent(userUUID string) (directory.User, *directory.Agent, *AgentError) {
	u, ok := a.users.User(userUUID)
	if !ok || u.Agent == nil {
		return u, nil, agentErr(http.StatusNotFound, agentdNoSuchAgent)
	}
	return u, u.Agent, nil
}

func (a *agentd) numberAgent(number string) (directory.User, *directory.Agent, *AgentError) {
	u, ok := a.users.ByAgentNumber(number)
	if !ok {
		return u, nil, agentErr(http.StatusNotFound, agentdNoSuchAgent)
	}
	return u, u.Agent, nil
}

// status renders StatusHandler._handle_status (wazo-agentd
// service/handler/status.py): a logged-out agent has logged false, no
// extension and no queues.
func (a *agentd) status(u directory.User, ag *directory.Agent) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]any{
		"id": ag.ID, "tenant_uuid": u.TenantUUID, "origin_uuid": a.uuid, "number": ag.Number,
		"logged": false, "paused": false, "paused_reason": nil,
		"extension": nil, "context": nil, "state_interface": nil, "queues": []any{},
	}
	st, ok := a.logged[ag.ID]
	if !ok {
		return out
	}
	out["logged"], out["paused"], out["paused_reason"] = true, st.paused, nilIfEmpty(st.reason)
	out["extension"], out["context"], out["state_interface"] = st.extension, st.context, st.stateInterface
	queues := make([]any, 0, len(st.queues))
	for _, q := range st.queues {
		queues = append(queues, map[string]any{
			"id": q.ID, "name": q.Name, "display_name": q.DisplayName,
			"logged": q.logged, "paused": q.paused, "paused_reason": nilIfEmpty(q.reason),
		})
	}
	out["queues"] = queues
	return out
}

// loginOnLine is LoginManager.login_user_agent (wazo-agentd
// service/manager/login.py): the agent must be logged out (409 "already
// logged") and the line the user's (400 "no such line"); the extension and
// context are the line's main extension (action/login.py
// login_agent_on_line).
func (a *agentd) loginOnLine(u directory.User, ag *directory.Agent, lineID int) *AgentError {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.logged[ag.ID]; ok {
		return agentErr(http.StatusConflict, agentdAlreadyLogged)
	}
	for _, l := range u.Lines {
		if l.ID != lineID {
			continue
		}
		if len(l.Extensions) == 0 {
			return agentErr(http.StatusNotFound, agentdNoSuchExten)
		}
		e := l.Extensions[0]
		a.doLogin(u, ag, e.Exten, e.Context, interfaceOf(l))
		return nil
	}
	return agentErr(http.StatusBadRequest, agentdNoSuchLine)
}

// loginOnExtension is LoginManager.login_agent (the by-id and by-number
// routes a supervisor uses): extension@context must be a line's (404 "no
// such extension and context") and not taken by another agent (409).
func (a *agentd) loginOnExtension(u directory.User, ag *directory.Agent, exten, context string) *AgentError {
	a.mu.Lock()
	defer a.mu.Unlock()
	line, ok := a.lineOf(exten, context)
	if !ok {
		return agentErr(http.StatusNotFound, agentdNoSuchExten)
	}
	if _, ok := a.logged[ag.ID]; ok {
		return agentErr(http.StatusConflict, agentdAlreadyLogged)
	}
	for _, st := range a.logged {
		if st.extension == exten && st.context == context {
			return agentErr(http.StatusConflict, agentdAlreadyInUse)
		}
	}
	a.doLogin(u, ag, exten, context, interfaceOf(line))
	return nil
}

// lineOf finds the line with extension exten@context among the users the
// directory knows of: the agent's own user first (the usual case), then
// any other user.
func (a *agentd) lineOf(exten, context string) (directory.Line, bool) {
	for _, u := range a.users.All() {
		for _, l := range u.Lines {
			for _, e := range l.Extensions {
				if e.Exten == exten && e.Context == context {
					return l, true
				}
			}
		}
	}
	return directory.Line{}, false
}

func interfaceOf(l directory.Line) string { return "PJSIP/" + l.Name }

// doLogin records the login, logs the agent in to all its queues (an agent
// with no previously logged queue is logged in to every queue it belongs
// to, action/login.py _ensure_queues_logged_in) and publishes
// agent_status_update "logged_in". mu is held.
func (a *agentd) doLogin(u directory.User, ag *directory.Agent, exten, context, iface string) {
	st := &agentStatus{extension: exten, context: context, stateInterface: iface, loginAt: a.now()}
	for _, q := range ag.Queues {
		st.queues = append(st.queues, queueStatus{Queue: q, logged: true})
	}
	a.logged[ag.ID] = st
	a.publishStatus(u, ag, agentdStatusLoggedIn)
}

// logoff is LogoffManager.logoff_user_agent / logoff_agent: 409 "not
// logged in" when logged out. LogoffAction first unpauses the agent in
// Asterisk, which publishes agent_unpaused for each logged queue, then
// agent_status_update "logged_out" (action/logoff.py).
func (a *agentd) logoff(u directory.User, ag *directory.Agent) *AgentError {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, ok := a.logged[ag.ID]
	if !ok {
		return agentErr(http.StatusConflict, agentdNotLogged)
	}
	a.setPaused(u, ag, st, false, "")
	delete(a.logged, ag.ID)
	a.publishStatus(u, ag, agentdStatusLoggedOut)
	return nil
}

// pause is PauseManager.pause_user_agent: 409 "not logged in" when logged
// out; PauseAction sends one QueuePause for every queue, so Asterisk
// reports (and wazo-agentd publishes) one agent_paused per logged queue,
// and none at all for an agent in no queue (action/pause.py,
// manager/on_queue_agent_paused.py). Unpausing is the same with
// agent_unpaused, even for an agent that was not paused (Asterisk reports
// every QueuePause).
func (a *agentd) pause(u directory.User, ag *directory.Agent, paused bool, reason string) *AgentError {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, ok := a.logged[ag.ID]
	if !ok {
		return agentErr(http.StatusConflict, agentdNotLogged)
	}
	a.setPaused(u, ag, st, paused, reason)
	return nil
}

// setPaused applies a QueuePause to every logged queue and publishes the
// events Asterisk's QueueMemberPause causes. mu is held.
func (a *agentd) setPaused(u directory.User, ag *directory.Agent, st *agentStatus, paused bool, reason string) {
	if !paused {
		reason = ""
	}
	acted := false
	for i := range st.queues {
		q := &st.queues[i]
		if !q.logged {
			continue
		}
		acted = true
		q.paused, q.reason = paused, reason
		name := "agent_unpaused"
		if paused {
			name = "agent_paused"
		}
		// wazo-bus resources/agent/event.py AgentPausedEvent/AgentUnpausedEvent.
		a.bus.Publish(name, u.UUID, u.TenantUUID, agentdEventACL, map[string]any{
			"agent_id": ag.ID, "agent_number": ag.Number, "paused": paused,
			"paused_reason": reason, "queue": q.Name,
		})
	}
	if acted {
		// on_queue_agent_paused updates agent_login_status.paused too.
		st.paused, st.reason = paused, reason
	}
}

// publishStatus sends AgentStatusUpdatedEvent to the agent's users
// (wazo-bus resources/agent/event.py; action/login.py
// _send_bus_status_update). mu is held.
func (a *agentd) publishStatus(u directory.User, ag *directory.Agent, status string) {
	a.bus.Publish("agent_status_update", u.UUID, u.TenantUUID, agentdEventACL,
		map[string]any{"agent_id": ag.ID, "status": status})
}
