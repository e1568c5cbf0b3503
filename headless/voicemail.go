package headless

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parley-voip/parley/desk"
)

// The voicemail commands and events of a Wazo line (docs/headless.md,
// "Voicemail").

type voicemailArgs struct {
	Cmd     string `json:"cmd"`
	Message string `json:"message"`
}

type voicemailList struct {
	Messages []desk.VoicemailMessage `json:"messages"`
	Unread   int                     `json:"unread"`
}

// voicemailLine is a voicemail event as written: voicemail_created,
// voicemail_updated (read), voicemail_deleted, with the message and the
// message-waiting count after it.
type voicemailLine struct {
	Event   string                `json:"event"`
	Message desk.VoicemailMessage `json:"message"`
	Unread  int                   `json:"unread"`
}

// addVoicemail adds voicemail_list, voicemail_read and voicemail_delete and
// the voicemail_* events.
func addVoicemail(c *config, d *desk.Desk) {
	v := d.Voicemail()
	c.commands["voicemail_list"] = func(ctx context.Context, _ json.RawMessage) (any, error) {
		msgs, err := v.Messages(ctx)
		if err != nil {
			return nil, err
		}
		return voicemailList{Messages: msgs, Unread: v.Unread()}, nil
	}
	c.commands["voicemail_read"] = voicemailOp(v.MarkRead)
	c.commands["voicemail_delete"] = voicemailOp(v.Delete)
	c.streams = append(c.streams, func(ctx context.Context, write func(any) bool) {
		changes, stop := v.Subscribe()
		defer stop()
		v.Start()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-changes:
				if !ok {
					return
				}
				if ev.Message.ID == "" {
					continue // a reload's count, not a change of one message
				}
				if !write(voicemailLine{Event: "voicemail_" + string(ev.Change), Message: ev.Message, Unread: ev.Unread}) {
					return
				}
			}
		}
	})
}

func voicemailOp(op func(context.Context, string) error) CommandHandler {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var a voicemailArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
		}
		if a.Message == "" {
			return nil, missing(a.Cmd, "message")
		}
		return nil, op(ctx, a.Message)
	}
}
