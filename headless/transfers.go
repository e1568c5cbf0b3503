package headless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
)

// transferLine is a server-side transfer as written: the transfer_updated
// event's "transfer" and the transfer_consult reply's result
// (docs/headless.md, Server-side transfers).
type transferLine struct {
	ID         string `json:"id"`
	Call       string `json:"call,omitempty"`
	Target     string `json:"target,omitempty"`
	TargetName string `json:"targetName,omitempty"`
	Attended   bool   `json:"attended"`
	State      string `json:"state"`
	Done       bool   `json:"done,omitempty"`
}

func newTransferLine(t desk.Transfer) transferLine {
	return transferLine{ID: t.ID, Call: t.Call, Target: t.Target, TargetName: t.TargetName,
		Attended: t.Attended, State: string(t.State), Done: t.Done}
}

// transferEvent is {"event":"transfer_updated","transfer":{…}}.
type transferEvent struct {
	Event    string       `json:"event"`
	Transfer transferLine `json:"transfer"`
}

// transferArgs are the transfer commands' fields.
type transferArgs struct {
	Call     string `json:"call"`
	Target   string `json:"target"`
	Transfer string `json:"transfer"`
}

// transferCommands are transfer_consult, transfer_complete and
// transfer_cancel: wazo-calld's attended transfer on a Wazo line (the blind
// one is "transfer", through the line's API).
type transferCommands struct {
	svc *desk.Transfers
	api phone.API
}

// addTransferCommands registers the commands when Run has a desk.
func addTransferCommands(c *config, api phone.API) {
	if c.desk == nil {
		return
	}
	h := &transferCommands{svc: c.desk.Transfers(), api: api}
	for name, f := range map[string]CommandHandler{
		"transfer_consult": h.consult, "transfer_complete": h.complete, "transfer_cancel": h.cancel,
	} {
		if _, taken := c.commands[name]; !taken {
			c.commands[name] = f
		}
	}
}

// forwardTransfers writes every change of a server-side transfer as a
// transfer_updated line until ctx ends; the returned stop waits for it.
func forwardTransfers(ctx context.Context, d *desk.Desk, w *lineWriter) (stop func()) {
	if d == nil {
		return func() {}
	}
	updates, cancel := d.Transfers().Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case t, ok := <-updates:
				if !ok || !w.write(ctx, transferEvent{Event: "transfer_updated", Transfer: newTransferLine(t)}) {
					return
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

func parseTransferArgs(cmd string, raw json.RawMessage) (transferArgs, error) {
	var a transferArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("the %q command's fields are not valid JSON of the expected shape: %w", cmd, err)
	}
	return a, nil
}

// consult: {"target" (required), "call" (default: the active call)}.
func (h *transferCommands) consult(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseTransferArgs("transfer_consult", raw)
	if err != nil {
		return nil, err
	}
	if a.Target == "" {
		return nil, missing("transfer_consult", "target")
	}
	id := a.Call
	if id == "" {
		active, ok := h.api.ActiveCall()
		if !ok {
			return nil, errors.New(`there is no active call to transfer; name one with "call"`)
		}
		id = active.ID()
	}
	t, err := h.svc.Start(ctx, id, a.Target, true)
	if err != nil {
		return nil, err
	}
	return map[string]any{"transfer": newTransferLine(t)}, nil
}

// pick is the transfer named, or the one of the call named, or of the
// active call.
func (h *transferCommands) pick(cmd string, a transferArgs) (string, error) {
	if a.Transfer != "" {
		return a.Transfer, nil
	}
	id := a.Call
	if id == "" {
		active, ok := h.api.ActiveCall()
		if !ok {
			return "", fmt.Errorf(`there is no active call; name the transfer with "transfer"`)
		}
		id = active.ID()
	}
	t, ok := h.svc.ForCall(id)
	if !ok {
		return "", fmt.Errorf("the call %q is not being transferred (%s)", id, cmd)
	}
	return t.ID, nil
}

func (h *transferCommands) complete(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseTransferArgs("transfer_complete", raw)
	if err != nil {
		return nil, err
	}
	id, err := h.pick("transfer_complete", a)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.Complete(ctx, id)
}

func (h *transferCommands) cancel(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseTransferArgs("transfer_cancel", raw)
	if err != nil {
		return nil, err
	}
	id, err := h.pick("transfer_cancel", a)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.Cancel(ctx, id)
}
