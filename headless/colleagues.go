package headless

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-voip/parley/desk"
)

// colleagueJSON is a colleague as the protocol writes it (docs/headless.md,
// "Colleagues").
type colleagueJSON struct {
	UUID      string `json:"uuid"`
	Name      string `json:"name,omitempty"`
	Extension string `json:"extension,omitempty"`
	Presence  string `json:"presence"`
	Status    string `json:"status,omitempty"`
	DND       bool   `json:"dnd"`
	Line      string `json:"line"`
	Connected bool   `json:"connected"`
	Me        bool   `json:"me,omitempty"`
}

func colleagueOut(c desk.Colleague) colleagueJSON {
	return colleagueJSON{UUID: c.UUID, Name: c.Name, Extension: c.Extension, Presence: string(c.Presence),
		Status: c.Status, DND: c.DND, Line: string(c.Line), Connected: c.Connected, Me: c.Me}
}

// colleagueEvent is the colleague_updated line.
type colleagueEvent struct {
	Event     string        `json:"event"`
	Time      time.Time     `json:"time"`
	Colleague colleagueJSON `json:"colleague"`
}

type colleagueArgs struct {
	Search string  `json:"search"`
	State  string  `json:"state"`
	Status *string `json:"status"`
	DND    *bool   `json:"dnd"`
}

// addColleagues adds colleagues_list and presence_set, and the pump that
// writes colleague_updated for every change the service announces.
func addColleagues(c *config, d *desk.Desk) {
	svc := d.Colleagues()
	c.commands["colleagues_list"] = func(ctx context.Context, raw json.RawMessage) (any, error) {
		var a colleagueArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
		}
		// Each list fetches afresh: it is also how a client resynchronises.
		if err := svc.Load(ctx); err != nil {
			return nil, err
		}
		list := svc.List(a.Search)
		out := struct {
			Colleagues []colleagueJSON `json:"colleagues"`
			Me         colleagueJSON   `json:"me"`
		}{Colleagues: make([]colleagueJSON, 0, len(list)), Me: colleagueOut(svc.Me())}
		for _, col := range list {
			out.Colleagues = append(out.Colleagues, colleagueOut(col))
		}
		return out, nil
	}
	c.commands["presence_set"] = func(ctx context.Context, raw json.RawMessage) (any, error) {
		var a colleagueArgs
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
		}
		if a.DND != nil {
			if err := svc.SetMyDoNotDisturb(ctx, *a.DND); err != nil {
				return nil, err
			}
			if a.State == "" {
				return nil, nil
			}
		}
		p := desk.Presence(a.State)
		if !p.Valid() {
			return nil, fmt.Errorf("%w: %q (use available, away, unavailable or invisible)", desk.ErrInvalidPresence, a.State)
		}
		// A status left out keeps the server's text.
		if err := svc.SetMyPresence(ctx, p, a.Status); err != nil {
			return nil, err
		}
		return nil, nil
	}
	c.pumps = append(c.pumps, func(ctx context.Context, w *lineWriter) {
		changes, stop := svc.Subscribe()
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case col, ok := <-changes:
				if !ok {
					return
				}
				if !w.write(ctx, colleagueEvent{Event: "colleague_updated", Time: time.Now().UTC(), Colleague: colleagueOut(col)}) {
					return
				}
			}
		}
	})
}
