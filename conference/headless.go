package conference

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/parley-voip/parley/headless"
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
	Conference *Snapshot  `json:"conference,omitempty"`
	List       []Snapshot `json:"conferences,omitempty"`
}

// HeadlessCommands returns the headless options that add conference_start,
// conference_add, conference_remove, conference_hangup and conference_list,
// backed by b on the phone api.
func HeadlessCommands(b Backend, api phone.API) []headless.Option {
	h := &commands{b: b, api: api}
	return []headless.Option{
		headless.WithCommand("conference_start", h.start),
		headless.WithCommand("conference_add", h.add),
		headless.WithCommand("conference_remove", h.remove),
		headless.WithCommand("conference_hangup", h.hangup),
		headless.WithCommand("conference_list", h.list),
	}
}

type commands struct {
	b   Backend
	api phone.API
}

func parseArgs(raw json.RawMessage) (commandArgs, error) {
	var a commandArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
	}
	return a, nil
}

func (h *commands) session(id string) (phone.CallSession, error) {
	cs, ok := h.api.Session(id)
	if !ok {
		return cs, fmt.Errorf("%w (%q)", ErrNoSuchCall, id)
	}
	return cs, nil
}

// start: {"host": sip id (default: the active call), "calls": [sip ids]
// (default: the one other open call)}.
func (h *commands) start(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseArgs(raw)
	if err != nil {
		return nil, err
	}
	var host phone.CallSession
	if a.Host == "" {
		var ok bool
		if host, ok = h.api.ActiveCall(); !ok {
			return nil, &opError{op: ErrStart, hint: "there is no active call to host the conference; say which call with \"host\"", err: ErrNoSuchCall}
		}
	} else if host, err = h.session(a.Host); err != nil {
		return nil, &opError{op: ErrStart, err: err}
	}
	var others []phone.CallSession
	if len(a.Calls) == 0 {
		for _, cs := range h.api.Calls() {
			if cs.SIPCallID != host.SIPCallID && cs.Answered && cs.Status != phone.StatusEnded && cs.Status != phone.StatusFailed {
				others = append(others, cs)
			}
		}
		if len(others) > 1 {
			return nil, &opError{op: ErrStart, hint: "several calls are open; say which ones to bring in with \"calls\"", err: ErrNoCalls}
		}
	}
	for _, id := range a.Calls {
		cs, err := h.session(id)
		if err != nil {
			return nil, &opError{op: ErrStart, err: err}
		}
		others = append(others, cs)
	}
	c, err := h.b.Start(ctx, host, others)
	if err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

// pick finds the conference a command is about: the one named, or the only
// live one.
func (h *commands) pick(id string) (*Conference, error) {
	if id != "" {
		c, ok := h.b.Conference(id)
		if !ok {
			return nil, fmt.Errorf("%w (%q)", ErrNoSuchConf, id)
		}
		return c, nil
	}
	live := h.b.Conferences()
	switch len(live) {
	case 0:
		return nil, ErrNoneRunning
	case 1:
		return live[0], nil
	}
	return nil, ErrAmbiguous
}

func (h *commands) add(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &opError{op: ErrAdd, err: err}
	}
	cs, err := h.session(a.Call)
	if err != nil {
		return nil, &opError{op: ErrAdd, err: err}
	}
	if err := c.AddParticipant(ctx, cs); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

// remove: "call" is the participant's remote call id or the SIP Call-ID of
// our former dialog with them.
func (h *commands) remove(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &opError{op: ErrRemove, err: err}
	}
	if a.Call == "" {
		return nil, &opError{op: ErrRemove, hint: "say which participant with \"call\"", err: ErrNotInConf}
	}
	if err := c.RemoveParticipant(ctx, a.Call); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

func (h *commands) hangup(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseArgs(raw)
	if err != nil {
		return nil, err
	}
	c, err := h.pick(a.Conference)
	if err != nil {
		return nil, &opError{op: ErrHangup, err: err}
	}
	if err := c.Hangup(ctx); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	return commandResult{Conference: &s}, nil
}

func (h *commands) list(context.Context, json.RawMessage) (any, error) {
	out := commandResult{List: []Snapshot{}}
	for _, c := range h.b.Conferences() {
		out.List = append(out.List, c.Snapshot())
	}
	return out, nil
}

// WriteEvents writes every conference event of b to w as one JSON object per
// line, one Write call per line, until ctx ends or b is closed. To share
// stdout with headless.Run, give both the same SyncWriter.
func WriteEvents(ctx context.Context, b Backend, w io.Writer) error {
	events, stop := b.Subscribe()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			line, err := json.Marshal(ev)
			if err != nil {
				return fmt.Errorf("cannot encode a conference event: %w", err)
			}
			if _, err := w.Write(append(line, '\n')); err != nil {
				return fmt.Errorf("cannot write to the output: %w", err)
			}
		}
	}
}

// SyncWriter serialises Write calls, so whole lines written by headless.Run
// and WriteEvents never interleave.
type SyncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewSyncWriter wraps w.
func NewSyncWriter(w io.Writer) *SyncWriter { return &SyncWriter{w: w} }

// Write implements io.Writer.
func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
