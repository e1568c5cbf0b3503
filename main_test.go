package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/testrig"
)

// buildParley compiles the real binary once per test run.
func buildParley(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "parley")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// headlessProc is a running `parley -headless` driven through its pipes only.
type headlessProc struct {
	t     *testing.T
	stdin io.WriteCloser
	lines chan map[string]any
	seen  []string
	// pending holds lines read while waiting for something else: replies
	// and the events a command causes come in either order.
	pending []map[string]any
}

func (h *headlessProc) send(cmd string) {
	h.t.Helper()
	if _, err := io.WriteString(h.stdin, cmd+"\n"); err != nil {
		h.t.Fatalf("write %s: %v", cmd, err)
	}
}

// waitFor reads stdout lines until one matches, failing after a generous
// ceiling.
func (h *headlessProc) waitFor(what string, match func(map[string]any) bool) map[string]any {
	h.t.Helper()
	for i, m := range h.pending {
		if match(m) {
			h.pending = append(h.pending[:i], h.pending[i+1:]...)
			return m
		}
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-h.lines:
			if !ok {
				h.t.Fatalf("parley exited while waiting for %s; saw %v", what, h.seen)
			}
			h.seen = append(h.seen, fmt.Sprint(m["event"]))
			if ev, _ := m["event"].(string); strings.HasPrefix(ev, "NOT JSON") {
				h.t.Fatalf("parley wrote a line that is not JSON: %s", ev)
			}
			if match(m) {
				return m
			}
			h.pending = append(h.pending, m)
		case <-deadline:
			h.t.Fatalf("no %s from parley; saw %v", what, h.seen)
		}
	}
}

func event(name string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["event"] == name }
}

func TestHeadlessAnswersACallDrivenThroughStdio(t *testing.T) {
	testrig.Require(t, "kamailio", "sipp")
	bin := buildParley(t)
	kam := testrig.StartKamailio(t)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-headless", "-transport", "udp", "-server", kam.UDPAddr, "-user", "alice", "-local-ip", "127.0.0.1")
	cmd.Env = append(os.Environ(), "PARLEY_PASSWORD=secret", "PARLEY_CONFIG=")
	cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+t.TempDir())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderrPath := filepath.Join(t.TempDir(), "stderr")
	stderrFile, err := os.Create(stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stderrFile.Close()
	cmd.Stderr = stderrFile
	stderr := func() string { b, _ := os.ReadFile(stderrPath); return string(b) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &headlessProc{t: t, stdin: stdin, lines: make(chan map[string]any, 100)}
	go func() {
		defer close(h.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"event": "NOT JSON: " + sc.Text()}
			}
			h.lines <- m
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("parley stderr:\n%s", stderr())
		}
	})

	h.waitFor("registration", func(m map[string]any) bool {
		if m["event"] == "registered" {
			return true
		}
		reg, _ := m["registration"].(map[string]any)
		return m["event"] == "ready" && reg["state"] == "registered"
	})
	sipp := testrig.StartSipp(t, testrig.SippOptions{Scenario: filepath.Join("phone", "testdata", "sipp", "incoming_bye.xml"), Remote: kam.UDPAddr, Args: []string{"-s", "alice"}})

	in := h.waitFor("call_incoming", event("call_incoming"))
	call, _ := in["call"].(map[string]any)
	id, _ := call["sipCallId"].(string)
	if id == "" || call["number"] != "1002" {
		t.Fatalf("incoming event without the caller's CallSession: %v", in)
	}
	h.send(`{"cmd":"accept","id":"a1","call":"` + id + `"}`)
	resp := h.waitFor("the accept response", func(m map[string]any) bool { return m["event"] == "response" && m["id"] == "a1" })
	if resp["ok"] != true {
		t.Fatalf("accept failed: %v", resp)
	}
	h.waitFor("call_accepted", event("call_accepted"))
	ended := h.waitFor("call_ended", event("call_ended"))
	if ended["reason"] != "the other party hung up" {
		t.Fatalf("unexpected end: %v", ended)
	}
	res, err := sipp.Wait(ctx)
	if err != nil || res.Successful != 1 {
		t.Fatalf("sipp: %v %+v", err, res)
	}

	h.send(`this is not json`)
	bad := h.waitFor("an error reply", event("response"))
	if bad["ok"] != false || bad["error"] == "" {
		t.Fatalf("malformed command got %v", bad)
	}
	h.send(`{"cmd":"quit","id":"q"}`)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("parley did not exit cleanly: %v\n%s", err, stderr())
	}
}

func TestHeadlessWithoutAccountExplainsWhatToDo(t *testing.T) {
	bin := buildParley(t)
	cmd := exec.Command(bin, "-headless")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir(), "PARLEY_SERVER=", "PARLEY_USER=")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
		t.Fatalf("exit code %d, want 2 (usage)", code)
	}
	if !strings.Contains(string(out), "no account") {
		t.Fatalf("output does not explain the missing account: %s", out)
	}
}
