package headless

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/phone"
)

// commandArgs is the union of the conference commands' fields
// (docs/conference.md, "Headless commands").
type commandArgs struct {
	Host       string   `json:"host"`
	Calls      []string `json:"calls"`
	Call       string   `json:"call"`
	Conference string   `json:"conference"`
}

// commandResult is every conference command's result.
type commandResult struct {
	Conference *conference.Snapshot  `json:"conference,omitempty"`
	List       []conference.Snapshot `json:"conferences,omitempty"`
}

// confError is a conference command's failure, worded like the backend's
// own errors: op says what failed (conference.ErrStart …), hint why in
// words an agent can act on, err is the cause.
type confError struct {
	op   error
	hint string
	err  error
}

func (e *confError) Error() string {
	if e.hint == "" {
		return e.op.Error() + ": " + e.err.Error()
	}
	return e.op.Error() + ": " + e.hint
}

// Unwrap exposes both the operation sentinel and the cause to errors.Is/As.
func (e *confError) Unwrap() []error { return []error{e.op, e.err} }

// WithConferences adds conference_start, conference_add,
// conference_remove, conference_hangup and conference_list, run on t's
// backend for the phone api (docs/conference.md, "Headless commands"), and
// has Run write t's stream: the conference events among the phone's, and
// each merged call's call_ended marked "merged". The caller owns t and
// closes it after Run returns.
func WithConferences(t *conference.Tracker, api phone.API) Option {
	h := &confCommands{b: t.Backend(), api: api}
	return func(c *config) {
		c.tracker = t
		if h.b == nil {
			return
		}
		c.commands["conference_start"] = h.start
		c.commands["conference_add"] = h.add
		c.commands["conference_remove"] = h.remove
		c.commands["conference_hangup"] = h.hangup
		c.commands["conference_list"] = h.list
	}
}

type confCommands struct {
	b   conference.Backend
	api phone.API
}

func parseConfArgs(raw json.RawMessage) (commandArgs, error) {
	var a commandArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
	}
	return a, nil
}

func (h *confCommands) session(id string) (phone.CallSession, error) {
	cs, ok := h.api.Session(id)
	if !ok {
		return cs, fmt.Errorf("%w (%q)", conference.ErrNoSuchCall, id)
	}
	return cs, nil
}

// start: {"host": sip id (default: the active call), "calls": [sip ids]
// (default: every other established call, as the GUI's Merge calls button
// does: both use conference.Plan).
func (h *confCommands) start(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseConfArgs(raw)
	if err != nil {
		return nil, err
	}
	host := a.Host
	if host == "" {
		active, ok := h.api.ActiveCall()
		if !ok && len(a.Calls) > 0 {
			return nil, &confError{op: conference.ErrStart, hint: "there is no active call to host the conference; say which call with \"host\"", err: conference.ErrNoSuchCall}
		}
		host = active.ID()
	} else if _, err := h.session(host); err != nil {
		return nil, &confError{op: conference.ErrStart, err: err}
	}
	plan, err := conference.Plan(h.api.Calls(), host, a.Calls)
	if a.Host != "" {
		// Named by the user: never swapped for another call.
		plan, err = conference.PlanOn(h.api.Calls(), host, a.Calls)
	}
	if err != nil {
		return nil, &confError{op: conference.ErrStart, err: err}
	}
	c, err := h.b.Start(ctx, plan.Host, plan.Others)
	if err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

// pick finds the conference a command is about: the one named, or the only
// live one.
func (h *confCommands) pick(id string) (*conference.Conference, error) {
	if id != "" {
		c, ok := h.b.Conference(id)
		if !ok {
			return nil, fmt.Errorf("%w (%q)", conference.ErrNoSuchConf, id)
		}
		return c, nil
	}
	live := h.b.Conferences()
	switch len(live) {
	case 0:
		return nil, conference.ErrNoneRunning
	case 1:
		return live[0], nil
	}
	return nil, conference.ErrAmbiguous
}

func (h *confCommands) add(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseConfArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &confError{op: conference.ErrAdd, err: err}
	}
	cs, err := h.session(a.Call)
	if err != nil {
		return nil, &confError{op: conference.ErrAdd, err: err}
	}
	if err := c.AddParticipant(ctx, cs); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

// remove: "call" is the participant's remote call id or the SIP Call-ID of
// our former dialog with them.
func (h *confCommands) remove(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseConfArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &confError{op: conference.ErrRemove, err: err}
	}
	if a.Call == "" {
		return nil, &confError{op: conference.ErrRemove, hint: "say which participant with \"call\"", err: conference.ErrNotInConf}
	}
	if err := c.RemoveParticipant(ctx, a.Call); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

func (h *confCommands) hangup(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseConfArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &confError{op: conference.ErrHangup, err: err}
	}
	if err := c.Hangup(ctx); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

func (h *confCommands) list(context.Context, json.RawMessage) (any, error) {
	out := commandResult{List: []conference.Snapshot{}}
	for _, c := range h.b.Conferences() {
		out.List = append(out.List, c.Snapshot())
	}
	return out, nil
}
