package conference_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone/phonetest"
)

// TestHeadlessLocalConference: the headless conference commands work on
// the local backend unchanged (they only know Backend).
func TestHeadlessLocalConference(t *testing.T) {
	ph := phonetest.New()
	defer ph.Close()
	ctx := context.Background()
	var sips []string
	for _, n := range []string{"4001", "4002", "4003", "4004"} {
		cs := ph.Ring(n, "Party "+n)
		if err := ph.Accept(ctx, cs.SIPCallID); err != nil {
			t.Fatal(err)
		}
		sips = append(sips, cs.SIPCallID)
	}
	conf := conference.NewLocalForTest(ph)
	defer conf.Close()

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	out := outW
	tracker := conference.NewTracker(ph, conf)
	t.Cleanup(tracker.Close) // after Run has ended: cleanups run last first
	var lines jsonLines
	readDone := make(chan struct{})
	go func() { defer close(readDone); lines.read(outR) }()
	rctx, cancel := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- headless.Run(rctx, ph, inR, out, headless.WithConferences(tracker, ph)) }()
	t.Cleanup(func() {
		cancel()
		_ = inW.Close()
		<-runDone
		_ = outW.Close()
		<-readDone
	})
	send := func(line string) {
		t.Helper()
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}

	// A host named by the user must be connected: a ringing call is
	// refused, never swapped for another host.
	ringing := ph.Ring("4005", "Eve")
	send(fmt.Sprintf(`{"cmd":"conference_start","id":"s0","host":%q}`, ringing.SIPCallID))
	if r := lines.wait(t, "refused start reply", reply("s0")); r["ok"] != false || !strings.Contains(fmt.Sprint(r["error"]), "not connected") {
		t.Fatalf("start hosted on a ringing call: %v", r)
	}
	if err := ph.Reject(ctx, ringing.SIPCallID); err != nil {
		t.Fatal(err)
	}

	// The active call (the last one accepted) hosts; two others are named.
	send(fmt.Sprintf(`{"cmd":"conference_start","id":"s1","calls":[%q,%q]}`, sips[0], sips[1]))
	r := lines.wait(t, "start reply", reply("s1"))
	if r["ok"] != true {
		t.Fatalf("start: %v", r)
	}
	c := r["result"].(map[string]any)["conference"].(map[string]any)
	if c["backend"] != "local" || c["host"] != sips[3] || len(c["participants"].(map[string]any)) != 3 {
		t.Fatalf("start result %v", c)
	}
	lines.wait(t, "conference_started line", func(m map[string]any) bool { return m["event"] == string(conference.EventStarted) })
	lines.wait(t, "joined line", func(m map[string]any) bool {
		p, _ := m["participant"].(map[string]any)
		return m["event"] == string(conference.EventParticipantJoined) && p != nil && p["callId"] == sips[1]
	})

	send(fmt.Sprintf(`{"cmd":"conference_add","id":"a1","call":%q}`, sips[2]))
	if r := lines.wait(t, "add reply", reply("a1")); r["ok"] != true {
		t.Fatalf("add: %v", r)
	}
	send(fmt.Sprintf(`{"cmd":"conference_remove","id":"r1","call":%q}`, sips[0]))
	if r := lines.wait(t, "remove reply", reply("r1")); r["ok"] != true {
		t.Fatalf("remove: %v", r)
	}
	lines.wait(t, "left line", func(m map[string]any) bool {
		p, _ := m["participant"].(map[string]any)
		return m["event"] == string(conference.EventParticipantLeft) && p != nil && p["callId"] == sips[0]
	})
	if _, ok := ph.Session(sips[0]); ok {
		if cs, _ := ph.Session(sips[0]); cs.Status != "ended" {
			t.Fatalf("the removed party's call is %s", cs.Status)
		}
	}

	send(`{"cmd":"conference_list","id":"l1"}`)
	r = lines.wait(t, "list reply", reply("l1"))
	list := r["result"].(map[string]any)["conferences"].([]any)
	if len(list) != 1 || len(list[0].(map[string]any)["participants"].(map[string]any)) != 3 {
		t.Fatalf("list: %v", r)
	}

	send(`{"cmd":"conference_hangup","id":"h1"}`)
	r = lines.wait(t, "hangup reply", reply("h1"))
	if r["ok"] != true || r["result"].(map[string]any)["conference"].(map[string]any)["finished"] != true {
		t.Fatalf("hangup: %v", r)
	}
	lines.wait(t, "ended line", func(m map[string]any) bool { return m["event"] == string(conference.EventEnded) })
	if n := len(ph.Calls()); n != 0 {
		t.Fatalf("%d calls still up after the conference was hung up", n)
	}
	send(`{"cmd":"conference_hangup","id":"h2"}`)
	r = lines.wait(t, "second hangup reply", reply("h2"))
	if r["ok"] != false || !strings.Contains(fmt.Sprint(r["error"]), "no conference is running") {
		t.Fatalf("hangup with none running: %v", r)
	}
}
