package headless_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone/phonetest"
)

// FuzzCommandLine feeds any line to Run, between a ringing call and a final
// status command: Run must neither panic nor stop early, every output line
// must be a JSON object with an "event", and the status must be answered.
func FuzzCommandLine(f *testing.F) {
	for _, seed := range []string{
		`{"cmd":"call","number":"1002","id":"r1"}`,
		`{"cmd":"accept"}`,
		`{"cmd":"reject","call":"x"}`,
		`{"cmd":"hangup","id":null}`,
		`{"cmd":"hold","id":{"nested":[1,2]}}`,
		`{"cmd":"dtmf","digits":"1\u0000#"}`,
		`{"cmd":"transfer","target":"sip:@"}`,
		`{"cmd":"attended_transfer","target_call":""}`,
		`{"cmd":"status","cmd":"calls"}`,
		`{"cmd":["call"]}`,
		`{"cmd":"call","number":"` + strings.Repeat("9", 300) + `"}`,
		`{"id":"\ud800"}`,
		"\xff\xfe",
		`{`,
		`}`,
		``,
		`null`,
		`1e999`,
		`{"cmd":"quit"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		e := phonetest.New()
		defer e.Close()
		e.Ring("1003", "Alice")
		var out bytes.Buffer
		in := strings.NewReader(input + "\n" + `{"cmd":"status","id":"fuzz-end"}` + "\n")
		if err := headless.Run(context.Background(), e, in, &out, headless.WithMaxLineBytes(4096)); err != nil {
			t.Fatalf("Run = %v", err)
		}
		quitEarly := strings.Contains(input, "quit")
		sawEnd := false
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if l == "" {
				continue
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("output line %q is not a JSON object: %v", l, err)
			}
			if _, ok := v["event"].(string); !ok {
				t.Fatalf("output line %q has no event", l)
			}
			if v["id"] == "fuzz-end" {
				sawEnd = true
			}
		}
		if !sawEnd && !quitEarly {
			t.Fatalf("the status after %q got no reply; output:\n%s", input, out.String())
		}
	})
}
