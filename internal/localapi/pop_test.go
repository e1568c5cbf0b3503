package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/phone/phonetest"
)

// helperEnv names the file the helper process writes what it received to.
const helperEnv = "PARLEY_POP_HELPER_OUT"

type helperReport struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

// TestPopHelperProcess is the program the screen pop runs in these tests:
// this test binary again, writing its arguments and environment to a file.
// Run on its own (no helperEnv), it does nothing.
func TestPopHelperProcess(t *testing.T) {
	out := os.Getenv(helperEnv)
	if out == "" {
		return
	}
	args := os.Args
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[i+1:]
	}
	rep := helperReport{Args: args, Env: map[string]string{}}
	for _, k := range []string{"PARLEY_CALL_NUMBER", "PARLEY_CALL_NAME", "PARLEY_CALL_ID"} {
		rep.Env[k] = os.Getenv(k)
	}
	data, _ := json.Marshal(rep)
	if err := os.WriteFile(out, data, 0o600); err != nil {
		os.Exit(3)
	}
	os.Exit(0)
}

// helperCommand is the pop command running TestPopHelperProcess with args.
func helperCommand(t *testing.T, args ...string) (cmd []string, report string) {
	t.Helper()
	report = filepath.Join(t.TempDir(), "report.json")
	t.Setenv(helperEnv, report)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{exe, "-test.run=^TestPopHelperProcess$", "--"}, args...), report
}

func startPop(t *testing.T, cfg PopConfig) (*phonetest.Engine, <-chan PopResult) {
	t.Helper()
	eng := phonetest.New()
	t.Cleanup(eng.Close)
	results := make(chan PopResult, 16)
	cfg.Done = func(r PopResult) { results <- r }
	p, err := StartPop(eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return eng, results
}

func waitPop(t *testing.T, results <-chan PopResult) PopResult {
	t.Helper()
	select {
	case r := <-results:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("no screen pop within 60 s")
		return PopResult{}
	}
}

func TestPopRunsCommand(t *testing.T) {
	cmd, report := helperCommand(t, "--caller", "{number}", "--name={name}", "call {callid}")
	eng, results := startPop(t, PopConfig{Command: cmd})

	// Shell syntax in the caller's name stays inert text: no shell is
	// involved. The line break is dropped.
	const name = `Alice "A" $(touch /tmp/owned); echo ` + "`id`\n|"
	in := eng.Ring("+33 1 23 45 67 89", name)
	r := waitPop(t, results)
	if r.Err != nil {
		t.Fatalf("pop failed: %v", r.Err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the command did not run: %v", err)
	}
	var got helperReport
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	cleanName := strings.ReplaceAll(name, "\n", "")
	want := []string{"--caller", "+33 1 23 45 67 89", "--name=" + cleanName, "call " + in.ID()}
	if !slices.Equal(got.Args, want) {
		t.Errorf("arguments\n got %q\nwant %q", got.Args, want)
	}
	if got.Env["PARLEY_CALL_NUMBER"] != "+33 1 23 45 67 89" || got.Env["PARLEY_CALL_NAME"] != cleanName || got.Env["PARLEY_CALL_ID"] != in.ID() {
		t.Errorf("environment %v", got.Env)
	}
}

func TestPopRefusesOptionInjection(t *testing.T) {
	cmd, report := helperCommand(t, "{number}")
	eng, results := startPop(t, PopConfig{Command: cmd})
	eng.Ring("--output=/etc/passwd", "")
	r := waitPop(t, results)
	if !errors.Is(r.Err, ErrPopRefused) {
		t.Fatalf("pop error %v, want ErrPopRefused", r.Err)
	}
	if _, err := os.Stat(report); err == nil {
		t.Error("the command ran anyway")
	}
}

func TestPopURL(t *testing.T) {
	opened := make(chan string, 4)
	eng, results := startPop(t, PopConfig{
		URL:     "https://crm.example.com/contacts/{number}/pop?who={name}&call={callid}",
		OpenURL: func(u *url.URL) error { opened <- u.String(); return nil },
	})
	in := eng.Ring("+3312/34", "A&B ?x=#")
	r := waitPop(t, results)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	got := <-opened
	want := "https://crm.example.com/contacts/%2B3312%2F34/pop?who=A%26B%20%3Fx%3D%23&call=" + escapeAll(in.ID())
	if got != want || r.URL != want {
		t.Errorf("opened\n %s\nwant\n %s", got, want)
	}
	u, _ := url.Parse(got)
	if q := u.Query(); q.Get("who") != "A&B ?x=#" || len(q) != 2 {
		t.Errorf("query %v: the name added or broke parameters", q)
	}
}

func TestPopTriggers(t *testing.T) {
	t.Run("ring pops once per call", func(t *testing.T) {
		eng, results := startPop(t, PopConfig{URL: "https://crm.example.com/?n={number}", OpenURL: func(*url.URL) error { return nil }})
		first := eng.Ring("1003", "")
		if r := waitPop(t, results); r.Call.ID() != first.ID() {
			t.Fatalf("popped %s", r.Call.ID())
		}
		// Answering, an outgoing call and its answer pop nothing; the next
		// incoming call pops, so everything before it was seen.
		if err := eng.Accept(context.Background(), first.ID()); err != nil {
			t.Fatal(err)
		}
		out, err := eng.Call(context.Background(), "1002")
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Answer(out.ID()); err != nil {
			t.Fatal(err)
		}
		second := eng.Ring("1004", "")
		if r := waitPop(t, results); r.Call.ID() != second.ID() {
			t.Fatalf("popped %s (%s), want the second incoming call", r.Call.ID(), r.Call.Number)
		}
	})
	t.Run("answer pops taken incoming calls", func(t *testing.T) {
		eng, results := startPop(t, PopConfig{Trigger: PopOnAnswer, URL: "https://crm.example.com/?n={number}", OpenURL: func(*url.URL) error { return nil }})
		out, err := eng.Call(context.Background(), "1002")
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Answer(out.ID()); err != nil {
			t.Fatal(err)
		}
		missed := eng.Ring("1005", "")
		if err := eng.RemoteHangup(missed.ID()); err != nil {
			t.Fatal(err)
		}
		taken := eng.Ring("1003", "")
		if err := eng.Accept(context.Background(), taken.ID()); err != nil {
			t.Fatal(err)
		}
		if r := waitPop(t, results); r.Call.ID() != taken.ID() {
			t.Fatalf("popped %s (%s), want the answered incoming call", r.Call.ID(), r.Call.Number)
		}
	})
}

func TestStartPopRefuses(t *testing.T) {
	eng := phonetest.New()
	defer eng.Close()
	for name, cfg := range map[string]PopConfig{
		"nothing to do":   {},
		"not http":        {URL: "file:///etc/passwd?{number}"},
		"javascript":      {URL: "javascript:alert({number})"},
		"relative":        {URL: "/search?n={number}"},
		"user in address": {URL: "https://user:pw@crm.example.com/?n={number}"},
		"no such program": {Command: []string{"/nonexistent/parley-crm-pop", "{number}"}},
		"unknown trigger": {URL: "https://crm.example.com/", Trigger: "hangup"},
	} {
		if p, err := StartPop(eng, cfg); err == nil {
			p.Close(context.Background())
			t.Errorf("%s: started", name)
		}
	}
}
