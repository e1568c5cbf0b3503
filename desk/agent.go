package desk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// The agent session's refusals, in words a front end can show as they are
// (or translate: they are sentinels). Each error the Agent returns wraps
// one of them and the server's own error (errors.Is reaches both).
var (
	// ErrNoAgent: the signed-in user is not an agent.
	ErrNoAgent = errors.New("this account has no agent")
	// ErrAgentLoggedIn: log in asked while the agent is logged in
	// (perhaps from another phone or by a supervisor).
	ErrAgentLoggedIn = errors.New("the agent is already logged in")
	// ErrAgentLoggedOut: log out, pause or unpause asked while the agent
	// is logged out.
	ErrAgentLoggedOut = errors.New("the agent is not logged in")
	// ErrAgentLine: the platform would not log the agent in on this
	// account's line (not the user's, no extension, or taken by another
	// agent).
	ErrAgentLine = errors.New("the agent cannot be logged in on this line")
	// ErrPauseReasonTooLong: wazo-agentd takes reasons of 80 characters at
	// most (wazo_agentd/plugins/agent/schemas.py PauseSchema).
	ErrPauseReasonTooLong = errors.New("the pause reason is too long (80 characters at most)")
	// ErrAgentClosed: the desk was closed.
	ErrAgentClosed = errors.New("the agent session is closed")
)

// MaxPauseReason is the longest reason wazo-agentd accepts, in characters.
const MaxPauseReason = 80

// AgentState is the agent's session as the platform has it.
type AgentState struct {
	// Loaded: the first status request has been answered (or failed).
	Loaded bool `json:"loaded"`
	// HasAgent: the user is an agent. Front ends hide the agent's controls
	// otherwise.
	HasAgent bool   `json:"hasAgent"`
	Number   string `json:"number,omitempty"`
	LoggedIn bool   `json:"loggedIn"`
	// Paused (in every queue) and why, "" for no reason given.
	Paused      bool   `json:"paused"`
	PauseReason string `json:"pauseReason,omitempty"`
	// Extension and Context the agent is logged in on.
	Extension string       `json:"extension,omitempty"`
	Context   string       `json:"context,omitempty"`
	Queues    []AgentQueue `json:"queues,omitempty"`
	// Problem says why the state could not be read ("" when it could).
	Problem string `json:"problem,omitempty"`

	id int // wazo-agentd's agent id, to match events
}

// AgentQueue is one queue the logged-in agent is in.
type AgentQueue struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	LoggedIn    bool   `json:"loggedIn"`
	Paused      bool   `json:"paused"`
}

func (s AgentState) equal(o AgentState) bool {
	return s.Loaded == o.Loaded && s.HasAgent == o.HasAgent && s.Number == o.Number && s.LoggedIn == o.LoggedIn &&
		s.Paused == o.Paused && s.PauseReason == o.PauseReason && s.Extension == o.Extension && s.Context == o.Context &&
		s.Problem == o.Problem && s.id == o.id && slices.Equal(s.Queues, o.Queues)
}

// Agent is the agent session of the desk's user (wazo-agentd): its state,
// kept in sync from GET /users/me/agents at start and the agent_* events
// afterwards, whoever made the change (this window, another phone, a
// supervisor), and the actions on it. Get it with Desk.Agent.
type Agent struct {
	d   *Desk
	hub *eventq.Hub[AgentState]
	// refresh asks the loop for a status fetch; the loop closes the
	// channel it is given when the new state is applied. done is closed
	// when the loop ends.
	refresh chan chan struct{}
	done    chan struct{}

	mu     sync.Mutex
	state  AgentState
	lineID int // the line the agent logs in on, once found
}

// Agent returns the agent session, starting it on first use: it fetches
// the agent's status and follows its events until Close.
func (d *Desk) Agent() *Agent {
	d.agentOnce.Do(func() {
		a := &Agent{d: d, hub: eventq.New[AgentState](), refresh: make(chan chan struct{}), done: make(chan struct{})}
		// Subscribe before the first fetch: a change in between is then an
		// event rather than lost.
		events, cancel := d.line.Subscribe()
		d.goOwned(func(ctx context.Context) { a.run(ctx, events, cancel) })
		d.agent = a
	})
	return d.agent
}

// State is the agent's state now.
func (a *Agent) State() AgentState {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.state
	s.Queues = slices.Clone(s.Queues)
	return s
}

// Subscribe delivers every new state, in order, never blocking the
// session. Subscribe first, then read State, so no change falls between.
// The channel closes when the desk closes; cancel ends it earlier.
func (a *Agent) Subscribe() (<-chan AgentState, func()) { return a.hub.Subscribe() }

func (a *Agent) run(ctx context.Context, events <-chan wazoline.Event, cancel func()) {
	defer close(a.done)
	defer a.hub.Close()
	defer cancel()
	a.fetch(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			a.onEvent(ctx, ev)
		case applied := <-a.refresh:
			a.fetch(ctx)
			close(applied)
		}
	}
}

// fetch reads GET /users/me/agents into the state. Loop goroutine only,
// so fetches and events apply in order.
func (a *Agent) fetch(ctx context.Context) {
	st, err := a.d.client.AgentStatus(ctx)
	if ctx.Err() != nil {
		return
	}
	a.update(func(s *AgentState) {
		s.Loaded = true
		switch {
		case errors.Is(err, wazo.ErrNoAgent):
			*s = AgentState{Loaded: true}
		case err != nil:
			s.Problem = err.Error()
			a.d.log.Warn("desk: cannot read the agent's status", "err", err)
		default:
			*s = stateFromStatus(st)
		}
	})
}

func stateFromStatus(st wazo.AgentStatus) AgentState {
	s := AgentState{Loaded: true, HasAgent: true, id: st.ID, Number: st.Number, LoggedIn: st.Logged,
		Paused: st.Logged && st.Paused, Extension: st.Extension, Context: st.Context}
	if s.Paused {
		s.PauseReason = st.PausedReason
	}
	for _, q := range st.Queues {
		s.Queues = append(s.Queues, AgentQueue{Name: q.Name, DisplayName: q.DisplayName, LoggedIn: q.Logged, Paused: q.Paused})
	}
	return s
}

// onEvent follows the agent's events (wazo-bus resources/agent/event.py),
// and reads the status again after the event socket reconnected.
// agent_status_update carries only "logged_in"/"logged_out", so the
// extension and queues are read again; agent_paused/agent_unpaused come
// once per queue with the reason and are applied as they are: the
// platform updates the status it serves from the same Asterisk event, so
// reading it back could be older than the event (wazo-agentd
// manager/on_queue_agent_paused.py).
func (a *Agent) onEvent(ctx context.Context, ev wazoline.Event) {
	if ev.Name == wazoline.EventResynced {
		a.fetch(ctx) // the events missed while the socket was down
		return
	}
	we := wazo.Event{Name: ev.Name, Data: ev.Data, Raw: ev.Raw}
	if !we.IsAgentEvent() {
		return
	}
	a.mu.Lock()
	id, has := a.state.id, a.state.HasAgent
	a.mu.Unlock()
	if ev.Name == "agent_status_update" {
		st, err := we.AgentStatusUpdate()
		if err != nil || (has && st.AgentID != id) {
			return
		}
		a.fetch(ctx)
		return
	}
	p, err := we.AgentPause()
	if err != nil || !has || p.AgentID != id {
		return
	}
	a.update(func(s *AgentState) {
		if !s.LoggedIn {
			return // the unpause that goes with a logoff
		}
		s.Paused, s.PauseReason = p.Paused, ""
		if p.Paused {
			s.PauseReason = p.PausedReason
		}
		for i := range s.Queues {
			if s.Queues[i].Name == p.Queue {
				s.Queues[i].Paused = p.Paused
			}
		}
	})
}

// update changes the state with f and publishes it when it changed.
func (a *Agent) update(f func(*AgentState)) {
	a.mu.Lock()
	before := a.state
	before.Queues = slices.Clone(before.Queues)
	f(&a.state)
	after := a.state
	after.Queues = slices.Clone(after.Queues)
	changed := !after.equal(before)
	if changed {
		// Published under mu so subscribers see the states in order.
		a.hub.Publish(after)
	}
	a.mu.Unlock()
}

// resync has the loop read the status again and waits until it has.
func (a *Agent) resync(ctx context.Context) error {
	applied := make(chan struct{})
	select {
	case a.refresh <- applied:
	case <-a.done:
		return ErrAgentClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-applied:
		return nil
	case <-a.done:
		return ErrAgentClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Login logs the agent in on this account's line: wazo-agentd takes the
// line's main extension and context (POST /users/me/agents/login
// {"line_id"}). It returns once the new state is read.
func (a *Agent) Login(ctx context.Context) error {
	lineID, err := a.line(ctx)
	if err != nil {
		return err
	}
	if err := a.d.client.AgentLogin(ctx, lineID); err != nil {
		return a.refused(ctx, err)
	}
	return a.resync(ctx)
}

// Logout logs the agent off (POST /users/me/agents/logoff). It returns once
// the new state is read.
func (a *Agent) Logout(ctx context.Context) error {
	if err := a.d.client.AgentLogoff(ctx); err != nil {
		return a.refused(ctx, err)
	}
	return a.resync(ctx)
}

// Pause pauses the agent in all its queues, with reason ("" for none;
// MaxPauseReason characters at most). The state changes when the
// platform's agent_paused events arrive, shortly after Pause returns.
func (a *Agent) Pause(ctx context.Context, reason string) error {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxPauseReason {
		return ErrPauseReasonTooLong
	}
	if err := a.d.client.AgentPause(ctx, reason); err != nil {
		if errors.Is(err, wazo.ErrInvalidData) {
			// The reason is the only field: 400 "invalid fields: reason".
			return &agentError{kind: ErrPauseReasonTooLong, cause: err}
		}
		return a.refused(ctx, err)
	}
	return nil
}

// Unpause ends the agent's pause (POST /users/me/agents/unpause); the state
// follows the agent_unpaused events.
func (a *Agent) Unpause(ctx context.Context) error {
	if err := a.d.client.AgentUnpause(ctx); err != nil {
		return a.refused(ctx, err)
	}
	return nil
}

// line finds the line the agent logs in on: the WebRTC line this account
// registers (confd, as wazoline picked it).
func (a *Agent) line(ctx context.Context) (int, error) {
	a.mu.Lock()
	id := a.lineID
	a.mu.Unlock()
	if id != 0 {
		return id, nil
	}
	wl, err := a.d.client.WebRTCLine(ctx)
	if err != nil {
		return 0, err
	}
	a.mu.Lock()
	a.lineID = wl.LineID
	a.mu.Unlock()
	return wl.LineID, nil
}

// refused words a refusal with the desk's sentinels. A refusal that says
// the state was not what we showed (already logged in, not logged in) also
// reads the status again: it changed elsewhere and the event may still be
// on its way.
func (a *Agent) refused(ctx context.Context, err error) error {
	var kind error
	switch {
	case errors.Is(err, wazo.ErrNoAgent):
		kind = ErrNoAgent
	case errors.Is(err, wazo.ErrAgentAlreadyLoggedIn):
		kind = ErrAgentLoggedIn
	case errors.Is(err, wazo.ErrAgentNotLoggedIn):
		kind = ErrAgentLoggedOut
	case errors.Is(err, wazo.ErrAgentNoSuchLine), errors.Is(err, wazo.ErrAgentNoSuchExtension), errors.Is(err, wazo.ErrAgentExtensionInUse):
		kind = ErrAgentLine
	default:
		return err
	}
	if kind == ErrAgentLoggedIn || kind == ErrAgentLoggedOut || kind == ErrNoAgent {
		_ = a.resync(ctx)
	}
	return &agentError{kind: kind, cause: err}
}

// agentError reads as the desk's sentence and unwraps to it and to the
// server's error.
type agentError struct {
	kind, cause error
}

func (e *agentError) Error() string   { return e.kind.Error() }
func (e *agentError) Unwrap() []error { return []error{e.kind, e.cause} }
