package headless

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/parley-voip/parley/phone"
)

// command is every field a built-in command may carry. Unknown fields are
// ignored, so clients can add their own bookkeeping.
type command struct {
	Cmd        string          `json:"cmd"`
	ID         json.RawMessage `json:"id"`
	Call       string          `json:"call"`
	Number     string          `json:"number"`
	Digits     string          `json:"digits"`
	Target     string          `json:"target"`
	TargetCall string          `json:"target_call"`
}

// reply is the one line each command gets back.
type reply struct {
	Event string          `json:"event"` // always "response"
	ID    json.RawMessage `json:"id,omitempty"`
	Cmd   string          `json:"cmd,omitempty"`
	OK    bool            `json:"ok"`
	Error string          `json:"error,omitempty"`
	// SIPCallID names the call a call command acted on, which matters when
	// the command left "call" out and the default call was used.
	SIPCallID    string              `json:"sipCallId,omitempty"`
	Call         *phone.CallSession  `json:"call,omitempty"`
	Calls        []phone.CallSession `json:"calls,omitzero"`
	Active       string              `json:"active,omitempty"`
	Registration *phone.Registration `json:"registration,omitempty"`
	// CanTakeCalls and Reason answer "can I take calls right now?" on
	// status (phone.ReadinessOf: registered and every keep-alive since
	// answered, or a line set not to register).
	CanTakeCalls *bool  `json:"can_take_calls,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Result       any    `json:"result,omitempty"`
}

const responseEvent = "response"

// server runs commands against the phone.
type server struct {
	api    phone.API
	cfg    config
	out    *lineWriter
	queue  *commandQueue
	others sync.WaitGroup // commands running beside the queue (dispatch)

	mu   sync.Mutex
	busy string // the call the worker's command acts on
}

// handle runs one input line and writes its reply. It reports whether the
// line asked to quit. defaultCall, if set, is the call a command without
// "call" acts on; worker says the line runs on the queue's worker.
func (s *server) handle(ctx context.Context, l inputLine, defaultCall string, worker bool) (quit bool) {
	if l.err != nil {
		s.out.writeFinal(reply{Event: responseEvent, Error: fmt.Sprintf("The line is longer than %d bytes and was skipped.", s.cfg.maxLineBytes)})
		return false
	}
	line := bytes.TrimSpace(l.data)
	if len(line) == 0 {
		return false // blank lines are allowed and ignored
	}
	var c command
	err := json.Unmarshal(line, &c)
	r := reply{Event: responseEvent, ID: validID(c.ID), Cmd: c.Cmd}
	if c.Call == "" {
		c.Call = defaultCall
	}
	if err == nil {
		quit, err = s.run(ctx, line, c, &r, worker)
	} else {
		err = describeJSONError(err)
	}
	if err != nil {
		r.OK, r.Error = false, sentence(err)
	} else {
		r.OK = true
	}
	s.out.writeFinal(r)
	return quit
}

// run executes a well-formed command, filling r. A panic in a handler or in
// the phone becomes an error reply rather than the end of the session.
func (s *server) run(ctx context.Context, line []byte, c command, r *reply, worker bool) (quit bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			quit, err = false, fmt.Errorf("internal error while running %q: %v", c.Cmd, p)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.commandTimeout)
	defer cancel()

	if h, ok := s.cfg.commands[c.Cmd]; ok {
		r.Result, err = h(ctx, json.RawMessage(line))
		return false, err
	}
	switch c.Cmd {
	case "":
		return false, errors.New(`the command has no "cmd" field`)
	case "quit":
		return true, nil
	case "calls":
		s.listCalls(r)
		return false, nil
	case "status":
		reg := s.api.Registration()
		r.Registration = &reg
		ready := phone.ReadinessOf(reg)
		r.CanTakeCalls, r.Reason = &ready.CanTakeCalls, ready.Reason
		s.listCalls(r)
		return false, nil
	case "call":
		if c.Number == "" {
			return false, missing(c.Cmd, "number")
		}
		cs, err := s.api.Call(ctx, c.Number)
		if err != nil {
			return false, err
		}
		r.Call, r.SIPCallID = &cs, cs.ID()
		return false, nil
	}
	op, ok := s.callCommand(c)
	if !ok {
		return false, fmt.Errorf("unknown command %q (see docs/headless.md for the list)", c.Cmd)
	}
	if op.needs != "" {
		return false, missing(c.Cmd, op.needs)
	}
	id := c.Call
	if id == "" {
		if id, err = op.defaultCall(); err != nil {
			return false, err
		}
	}
	r.SIPCallID = id
	if worker {
		s.setBusy(id) // a hangup may now end this call beside us
	}
	return false, op.do(ctx, id)
}

// callOp is a command that acts on one call.
type callOp struct {
	needs       string // name of a missing required field, if any
	defaultCall func() (string, error)
	do          func(ctx context.Context, id string) error
}

func (s *server) callCommand(c command) (callOp, bool) {
	api := s.api
	onActive := func(do func(ctx context.Context, id string) error) callOp {
		return callOp{defaultCall: func() (string, error) { return s.activeCall(c.Cmd) }, do: do}
	}
	onRinging := func(do func(ctx context.Context, id string) error) callOp {
		return callOp{defaultCall: func() (string, error) { return s.ringingCall(c.Cmd) }, do: do}
	}
	var op callOp
	switch c.Cmd {
	case "accept":
		op = onRinging(api.Accept)
	case "reject":
		op = onRinging(api.Reject)
	case "hangup":
		op = onActive(api.Hangup)
	case "hold":
		op = onActive(api.Hold)
	case "resume":
		op = onActive(api.Resume)
	case "mute":
		op = onActive(api.Mute)
	case "unmute":
		op = onActive(api.Unmute)
	case "dtmf":
		op = onActive(func(ctx context.Context, id string) error { return api.SendDTMF(ctx, id, c.Digits) })
		if c.Digits == "" {
			op.needs = "digits"
		}
	case "transfer":
		op = onActive(func(ctx context.Context, id string) error { return api.Transfer(ctx, id, c.Target) })
		if c.Target == "" {
			op.needs = "target"
		}
	case "attended_transfer":
		op = onActive(func(ctx context.Context, id string) error { return api.AttendedTransfer(ctx, id, c.TargetCall) })
		if c.TargetCall == "" {
			op.needs = "target_call"
		}
	default:
		return callOp{}, false
	}
	return op, true
}

func (s *server) listCalls(r *reply) {
	r.Calls = s.api.Calls()
	if r.Calls == nil {
		r.Calls = []phone.CallSession{} // "calls": [] says "none" more clearly than a missing field
	}
	if active, ok := s.api.ActiveCall(); ok {
		r.Active = active.ID()
	}
}

func (s *server) activeCall(cmd string) (string, error) {
	active, ok := s.api.ActiveCall()
	if !ok {
		return "", fmt.Errorf(`there is no active call to %s; name one with "call"`, verb(cmd))
	}
	return active.ID(), nil
}

// ringingCall picks the incoming call to accept or reject when the command
// names none: it must be the only one ringing, or the choice would be a guess.
func (s *server) ringingCall(cmd string) (string, error) {
	var ringing []string
	for _, cs := range s.api.Calls() {
		if cs.Status == phone.StatusIncoming && !cs.Ignored {
			ringing = append(ringing, cs.ID())
		}
	}
	switch len(ringing) {
	case 0:
		return "", fmt.Errorf("there is no incoming call to %s", verb(cmd))
	case 1:
		return ringing[0], nil
	}
	return "", fmt.Errorf(`%d calls are ringing; say which one to %s with "call"`, len(ringing), verb(cmd))
}

func verb(cmd string) string {
	switch cmd {
	case "hangup":
		return "hang up"
	case "dtmf":
		return "send the digits to"
	case "attended_transfer":
		return "transfer"
	}
	return cmd
}

func missing(cmd, field string) error {
	return fmt.Errorf("the %q command needs a %q field", cmd, field)
}

// validID keeps the client's id only when it is JSON we can echo back.
func validID(id json.RawMessage) json.RawMessage {
	if len(id) == 0 || !json.Valid(id) {
		return nil
	}
	return id
}

func describeJSONError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return errors.New("a command must be a JSON object, like {\"cmd\":\"status\"}")
	case errors.As(err, &typeErr):
		return fmt.Errorf("the %q field must be a %s, not a JSON %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("the line is not valid JSON (%v at byte %d)", syntaxErr, syntaxErr.Offset)
	}
	return fmt.Errorf("the line is not valid JSON (%w)", err)
}

func jsonKind(goKind string) string {
	if goKind == "slice" { // json.RawMessage: only the id is one, and any JSON fits it
		return "JSON value"
	}
	return goKind
}

// sentence turns an error into what a person reads: first letter upper case,
// a full stop at the end.
func sentence(err error) string {
	msg := strings.TrimSpace(err.Error())
	if msg == "" {
		return "Something went wrong."
	}
	first, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(first)) + msg[size:]
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}
