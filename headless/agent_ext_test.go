package headless_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// agentLines collects the JSON lines headless mode writes.
type agentLines struct {
	mu    sync.Mutex
	cond  *sync.Cond
	lines []map[string]any
}

func (j *agentLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			m = map[string]any{"unparsed": sc.Text()}
		}
		j.mu.Lock()
		j.lines = append(j.lines, m)
		j.cond.Broadcast()
		j.mu.Unlock()
	}
}

// wait returns the first line from index from on satisfying ok, and the
// index after it.
func (j *agentLines) wait(t *testing.T, what string, from int, ok func(map[string]any) bool) (map[string]any, int) {
	t.Helper()
	timer := time.AfterFunc(60*time.Second, func() { j.mu.Lock(); j.cond.Broadcast(); j.mu.Unlock() })
	defer timer.Stop()
	deadline := time.Now().Add(60 * time.Second)
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := from; ; i++ {
		for i >= len(j.lines) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; lines %v", what, j.lines[from:])
			}
			j.cond.Wait()
		}
		if ok(j.lines[i]) {
			return j.lines[i], i + 1
		}
	}
}

func agentOf(m map[string]any) map[string]any {
	if r, ok := m["result"].(map[string]any); ok {
		m = r
	}
	a, _ := m["agent"].(map[string]any)
	return a
}

// TestHeadlessAgent drives the agent commands through headless.Run on the
// demo stack: replies carry the agent's state, every change (a
// supervisor's too) is an agent_status line, refusals are sentences.
func TestHeadlessAgent(t *testing.T) {
	d, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(d.CertificateSHA256()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatal(err)
	}
	dk := desk.New(line)
	t.Cleanup(func() {
		dk.Close()
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	lines := &agentLines{}
	lines.cond = sync.NewCond(&lines.mu)
	readDone := make(chan struct{})
	go func() { defer close(readDone); lines.read(outR) }()
	runCtx, stop := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- headless.Run(runCtx, line.API(), inR, outW, headless.WithDesk(dk)) }()
	t.Cleanup(func() {
		stop()
		_ = inW.Close()
		<-runDone
		_ = outW.Close()
		<-readDone
	})
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(inW, s+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(id string) func(map[string]any) bool {
		return func(m map[string]any) bool { return m["event"] == "response" && m["id"] == id }
	}
	status := func(ok func(a map[string]any) bool) func(map[string]any) bool {
		return func(m map[string]any) bool { return m["event"] == "agent_status" && ok(agentOf(m)) }
	}

	// The first fetch is an agent_status line.
	_, at := lines.wait(t, "loaded", 0, status(func(a map[string]any) bool { return a["loaded"] == true }))
	send(`{"cmd":"agent_status","id":"s"}`)
	r, _ := lines.wait(t, "status reply", 0, reply("s"))
	if a := agentOf(r); r["ok"] != true || a["hasAgent"] != true || a["number"] != demo.DefaultAgentNumber || a["loggedIn"] != false {
		t.Fatalf("status %v", r)
	}

	send(`{"cmd":"agent_pause","id":"p0","reason":"lunch"}`)
	if r, _ := lines.wait(t, "pause reply", 0, reply("p0")); r["ok"] != false || r["error"] != "The agent is not logged in." {
		t.Fatalf("pause logged out: %v", r)
	}

	send(`{"cmd":"agent_login","id":"l"}`)
	r, _ = lines.wait(t, "login reply", 0, reply("l"))
	if a := agentOf(r); r["ok"] != true || a["loggedIn"] != true || a["extension"] != demo.DefaultExtension {
		t.Fatalf("login %v", r)
	}
	_, at = lines.wait(t, "logged-in line", at, status(func(a map[string]any) bool { return a["loggedIn"] == true }))

	send(`{"cmd":"agent_pause","id":"p","reason":"lunch"}`)
	if r, _ := lines.wait(t, "pause reply", 0, reply("p")); r["ok"] != true {
		t.Fatalf("pause %v", r)
	}
	_, at = lines.wait(t, "paused line", at, status(func(a map[string]any) bool { return a["paused"] == true && a["pauseReason"] == "lunch" }))
	send(`{"cmd":"agent_pause","id":"bad","reason":7}`)
	if r, _ := lines.wait(t, "bad pause reply", 0, reply("bad")); r["ok"] != false {
		t.Fatalf("reason 7: %v", r)
	}

	send(`{"cmd":"agent_unpause","id":"u"}`)
	if r, _ := lines.wait(t, "unpause reply", 0, reply("u")); r["ok"] != true {
		t.Fatalf("unpause %v", r)
	}
	_, at = lines.wait(t, "available line", at, status(func(a map[string]any) bool { return a["loggedIn"] == true && a["paused"] == false }))

	// A supervisor pauses the agent elsewhere.
	if err := d.Stack().SupervisorPause(d.AgentNumber(), "coaching"); err != nil {
		t.Fatal(err)
	}
	_, at = lines.wait(t, "supervisor's pause line", at, status(func(a map[string]any) bool { return a["pauseReason"] == "coaching" }))

	send(`{"cmd":"agent_logout","id":"o"}`)
	if r, _ := lines.wait(t, "logout reply", 0, reply("o")); r["ok"] != true || agentOf(r)["loggedIn"] != false {
		t.Fatalf("logout %v", r)
	}
	lines.wait(t, "logged-out line", at, status(func(a map[string]any) bool { return a["loggedIn"] == false }))
}
