package headless

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/parley-voip/parley/desk"
)

// WithDesk adds the contact-centre commands of a Wazo line (agent,
// colleagues, directory, call log, voicemail, recording, transfers; see
// docs/headless.md) and writes their events. The caller owns d and closes
// it after Run returns.
func WithDesk(d *desk.Desk) Option {
	return func(c *config) {
		c.desk = d
		withAgent(c, d.Agent())
		addDirectoryCommands(c, d)
		if d != nil {
			addVoicemail(c, d)
			addRecording(c, d)
		}
		addColleagues(c, d) // colleagues.go
	}
}

// agentResult is every agent command's result: the agent's state when
// the command is answered. Pause and unpause take effect when the
// platform's events arrive, reported by an agent_status event.
type agentResult struct {
	Agent desk.AgentState `json:"agent"`
}

// agentEvent is the line written whenever the agent's state changes.
type agentEvent struct {
	Event string          `json:"event"` // "agent_status"
	Agent desk.AgentState `json:"agent"`
}

// withAgent adds agent_status, agent_login, agent_logout, agent_pause
// {"reason"} and agent_unpause (docs/headless.md, "Agent session"), and the
// agent_status event.
func withAgent(c *config, a *desk.Agent) {
	state := func() (any, error) { return agentResult{Agent: a.State()}, nil }
	act := func(f func(ctx context.Context) error) CommandHandler {
		return func(ctx context.Context, _ json.RawMessage) (any, error) {
			if err := f(ctx); err != nil {
				return nil, err
			}
			return state()
		}
	}
	c.commands["agent_status"] = func(context.Context, json.RawMessage) (any, error) { return state() }
	c.commands["agent_login"] = act(a.Login)
	c.commands["agent_logout"] = act(a.Logout)
	c.commands["agent_unpause"] = act(a.Unpause)
	c.commands["agent_pause"] = func(ctx context.Context, raw json.RawMessage) (any, error) {
		var args struct {
			Reason string `json:"reason"`
		}
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
		}
		if err := a.Pause(ctx, args.Reason); err != nil {
			return nil, err
		}
		return state()
	}
	c.streams = append(c.streams, func(ctx context.Context, write func(any) bool) {
		// Subscribe, then say where the agent stands (once its status is
		// read), then every change.
		ch, cancel := a.Subscribe()
		defer cancel()
		var last *desk.AgentState
		if s := a.State(); s.Loaded {
			if !write(agentEvent{Event: "agent_status", Agent: s}) {
				return
			}
			last = &s
		}
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-ch:
				if !ok {
					return
				}
				if last != nil && reflect.DeepEqual(*last, s) {
					continue // published before the first line said it
				}
				last = &s
				if !write(agentEvent{Event: "agent_status", Agent: s}) {
					return
				}
			}
		}
	})
}
