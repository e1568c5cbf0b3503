package headless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parley-voip/parley/desk"
)

// addDirectoryCommands adds directory_search, directory_reverse and
// call_log (docs/headless.md, "Company directory and server call log").
func addDirectoryCommands(c *config, d *desk.Desk) {
	if d == nil {
		return
	}
	h := &directoryCommands{d: d}
	c.commands["directory_search"] = h.search
	c.commands["directory_reverse"] = h.reverse
	c.commands["call_log"] = h.callLog
}

type directoryCommands struct{ d *desk.Desk }

type directoryArgs struct {
	Term   string `json:"term"`
	Number string `json:"number"`
	Limit  int    `json:"limit"`
}

func parseDirectoryArgs(raw json.RawMessage) (directoryArgs, error) {
	var a directoryArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("the command's fields are not valid JSON of the expected shape: %w", err)
	}
	return a, nil
}

// search: {"term"} → {"contacts": [...]}, favourites first.
func (h *directoryCommands) search(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseDirectoryArgs(raw)
	if err != nil {
		return nil, err
	}
	if a.Term == "" {
		return nil, missing("directory_search", "term")
	}
	found, err := h.d.Directory().Search(ctx, a.Term)
	if err != nil {
		return nil, err
	}
	if found == nil {
		found = []desk.Contact{}
	}
	return map[string]any{"contacts": found}, nil
}

// reverse: {"number"} → {"found": bool, "contact": {...}}.
func (h *directoryCommands) reverse(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseDirectoryArgs(raw)
	if err != nil {
		return nil, err
	}
	if a.Number == "" {
		return nil, missing("directory_reverse", "number")
	}
	c, ok, err := h.d.Directory().Reverse(ctx, a.Number)
	if err != nil {
		return nil, err
	}
	if !ok {
		return map[string]any{"found": false}, nil
	}
	return map[string]any{"found": true, "contact": c}, nil
}

// callLog: {"limit"} → {"calls": [...]}, newest first.
func (h *directoryCommands) callLog(ctx context.Context, raw json.RawMessage) (any, error) {
	a, err := parseDirectoryArgs(raw)
	if err != nil {
		return nil, err
	}
	if a.Limit < 0 || a.Limit > 1000 {
		return nil, errors.New(`call_log: "limit" must be between 1 and 1000 (0 or absent: 100)`)
	}
	calls, err := h.d.CallLog().Recent(ctx, a.Limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"calls": calls}, nil
}
