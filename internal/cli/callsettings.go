package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parley-voip/parley/gui"
)

// knownCodecs are the audio codecs Parley can offer, in its default order
// (internal/rtc and internal/rtpmedia know each).
var knownCodecs = []string{"opus", "g722", "pcmu", "pcma"}

// defaultCodecs is what is offered when the settings name none: G.722 is
// known but not offered unless asked for, as before it existed.
func defaultCodecs() []string { return []string{"opus", "pcmu", "pcma"} }

// pickCodecs reads -codecs / PARLEY_CODECS over the file's list and checks
// it: a typo must not leave a line that offers nothing.
func pickCodecs(fromFile []string, flagValue string, getenv func(string) string) ([]string, error) {
	list := fromFile
	if v := flagValue; v != "" {
		list = strings.Split(v, ",")
	} else if v := getenv("PARLEY_CODECS"); v != "" {
		list = strings.Split(v, ",")
	}
	var out []string
	for _, c := range list {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if !slices.Contains(knownCodecs, c) {
			return nil, fmt.Errorf("unknown codec %q: use %s", c, strings.Join(knownCodecs, ", "))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if len(list) > 0 && len(out) == 0 {
		return nil, errors.New("the codec list is empty: name at least one of " + strings.Join(knownCodecs, ", "))
	}
	return out, nil
}

// callSettingsFile is the gui.CallSettingsStore of the account file: the
// window's Call settings read and write its keys, and the next sign-in
// uses them.
type callSettingsFile struct {
	path   string
	locked []string // fleet keys the user cannot change
}

// Load implements gui.CallSettingsStore.
func (c callSettingsFile) Load() (gui.CallSettings, error) {
	out := gui.CallSettings{Codecs: defaultCodecs(), AvailableCodecs: knownCodecs, AutoAnswer: "off", DTMF: "auto",
		AutoAnswerLocked: slices.Contains(c.locked, "auto_answer")}
	fields, err := c.read()
	if err != nil {
		return out, err
	}
	var f accountFile
	data, _ := json.Marshal(fields)
	if err := json.Unmarshal(data, &f); err != nil {
		return out, err
	}
	if len(f.Codecs) > 0 {
		out.Codecs = f.Codecs
	}
	if f.AutoAnswer != "" {
		out.AutoAnswer = f.AutoAnswer
	}
	out.AutoAnswerDelay = time.Duration(f.AutoAnswerDelay) * time.Second
	if f.DTMF != "" {
		out.DTMF = f.DTMF
	}
	return out, nil
}

// Save implements gui.CallSettingsStore: it rewrites only those keys.
func (c callSettingsFile) Save(s gui.CallSettings) error {
	if c.path == "" {
		return errors.New("there is no account file to keep settings in")
	}
	if _, err := pickCodecs(s.Codecs, "", func(string) string { return "" }); err != nil {
		return err
	}
	fields, err := c.read()
	if err != nil {
		return err
	}
	set := func(key string, v any) {
		raw, _ := json.Marshal(v)
		fields[key] = raw
	}
	set("codecs", s.Codecs)
	if !slices.Contains(c.locked, "auto_answer") {
		set("auto_answer", s.AutoAnswer)
		set("auto_answer_delay_seconds", int(s.AutoAnswerDelay/time.Second))
	}
	set("dtmf", s.DTMF)
	data, err := json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return err
	}
	// The strict reader must still accept what is written.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&accountFile{}); err != nil {
		return fmt.Errorf("the settings would not read back: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.path)
}

func (c callSettingsFile) read() (map[string]json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return fields, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("the account file %s is not valid: %w", c.path, err)
	}
	return fields, nil
}
