package headless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parley-voip/parley/desk"
)

// The recording commands of a Wazo line (docs/headless.md, "Call
// recording"): record_start, record_stop, record_pause, record_resume
// {"call"} (default: the active call). The new state arrives on the call
// itself, in call_updated events: "recording", "recordingPaused".

type recordArgs struct {
	Cmd  string `json:"cmd"`
	Call string `json:"call"`
}

type recordResult struct {
	Call string `json:"call"`
}

func addRecording(c *config, d *desk.Desk) {
	r := d.Recording()
	for name, op := range map[string]func(context.Context, string) error{
		"record_start":  r.Start,
		"record_stop":   r.Stop,
		"record_pause":  r.Pause,
		"record_resume": r.Resume,
	} {
		c.commands[name] = recordOp(r, op)
	}
}

func recordOp(r *desk.Recording, op func(context.Context, string) error) CommandHandler {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var a recordArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
		}
		if a.Call == "" {
			cs, ok := r.ActiveCall()
			if !ok {
				return nil, errors.New(`there is no active call to record; name one with "call"`)
			}
			a.Call = cs.ID()
		}
		if err := op(ctx, a.Call); err != nil {
			return nil, err
		}
		return recordResult{Call: a.Call}, nil
	}
}
