package conference_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/headless"
)

// jsonLines collects the JSON lines headless mode writes.
type jsonLines struct {
	mu    sync.Mutex
	lines []map[string]any
}

func (j *jsonLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			m = map[string]any{"unparsed": sc.Text()}
		}
		j.mu.Lock()
		j.lines = append(j.lines, m)
		j.mu.Unlock()
	}
}

func (j *jsonLines) wait(t *testing.T, what string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	var got map[string]any
	conference.WaitFor(t, what, func() bool {
		j.mu.Lock()
		defer j.mu.Unlock()
		for _, m := range j.lines {
			if ok(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

func reply(id string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["event"] == "response" && m["id"] == id }
}

// TestHeadlessConference drives the conference commands through
// headless.Run on the demo stack, conference events sharing stdout.
func TestHeadlessConference(t *testing.T) {
	e := conference.NewStackEnv(t)
	a := e.Ring(t, "4001", "Alice", conference.ToneA)
	b := e.Ring(t, "4002", "Bob", conference.ToneB)
	cc := e.Ring(t, "4003", "Carol", conference.ToneC)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	out := outW
	tracker := conference.NewTracker(e.Line().API(), e.Conf())
	t.Cleanup(tracker.Close) // after Run has ended: cleanups run last first
	var lines jsonLines
	readDone := make(chan struct{})
	go func() { defer close(readDone); lines.read(outR) }()
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() {
		runDone <- headless.Run(ctx, e.Line().API(), inR, out, headless.WithConferences(tracker, e.Line().API()))
	}()
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

	// Start with two other calls named explicitly (host = Carol's, active).
	send(fmt.Sprintf(`{"cmd":"conference_start","id":"s1","host":%q,"calls":[%q,%q]}`, cc.SIP, a.SIP, b.SIP))
	r := lines.wait(t, "start reply", reply("s1"))
	if r["ok"] != true {
		t.Fatalf("start: %v", r)
	}
	conf := r["result"].(map[string]any)["conference"].(map[string]any)
	id := conf["id"].(string)
	if conf["host"] != cc.SIP || len(conf["participants"].(map[string]any)) != 3 {
		t.Fatalf("start result %v", conf)
	}
	lines.wait(t, "conference_started line", func(m map[string]any) bool { return m["event"] == string(conference.EventStarted) })
	lines.wait(t, "call_merged line", func(m map[string]any) bool {
		return m["event"] == string(conference.EventCallMerged) && m["sipCallId"] == a.SIP
	})
	// The end of each merged dialog says so, whichever of the BYE and the
	// server's answer came first.
	for _, p := range []conference.StackParty{a, b} {
		ended := lines.wait(t, "merged call_ended line", func(m map[string]any) bool {
			c, _ := m["call"].(map[string]any)
			return m["event"] == "call_ended" && c != nil && c["sipCallId"] == p.SIP
		})
		if ended["merged"] != true || ended["conferenceId"] != id {
			t.Errorf("call_ended of a merged dialog: merged=%v conferenceId=%v, want true %q", ended["merged"], ended["conferenceId"], id)
		}
	}
	lines.wait(t, "joined line", func(m map[string]any) bool {
		p, _ := m["participant"].(map[string]any)
		return m["event"] == string(conference.EventParticipantJoined) && p != nil && p["callId"] == b.Peer
	})

	// Remove Bob by his former dialog's SIP Call-ID.
	send(fmt.Sprintf(`{"cmd":"conference_remove","id":"r1","call":%q}`, b.SIP))
	if r := lines.wait(t, "remove reply", reply("r1")); r["ok"] != true {
		t.Fatalf("remove: %v", r)
	}
	lines.wait(t, "left line", func(m map[string]any) bool { return m["event"] == string(conference.EventParticipantLeft) })

	// Errors are plain sentences.
	send(`{"cmd":"conference_add","id":"a1","call":"no-such-call"}`)
	r = lines.wait(t, "add reply", reply("a1"))
	if r["ok"] != false || !strings.Contains(fmt.Sprint(r["error"]), "not open on this phone") {
		t.Fatalf("add unknown call: %v", r)
	}

	send(`{"cmd":"conference_list","id":"l1"}`)
	r = lines.wait(t, "list reply", reply("l1"))
	list := r["result"].(map[string]any)["conferences"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != id {
		t.Fatalf("list: %v", r)
	}

	send(`{"cmd":"conference_hangup","id":"h1"}`)
	r = lines.wait(t, "hangup reply", reply("h1"))
	if r["ok"] != true || r["result"].(map[string]any)["conference"].(map[string]any)["finished"] != true {
		t.Fatalf("hangup: %v", r)
	}
	lines.wait(t, "ended line", func(m map[string]any) bool { return m["event"] == string(conference.EventEnded) })

	send(`{"cmd":"conference_hangup","id":"h2"}`)
	r = lines.wait(t, "second hangup reply", reply("h2"))
	if r["ok"] != false || !strings.Contains(fmt.Sprint(r["error"]), "no conference is running") {
		t.Fatalf("hangup with none running: %v", r)
	}
}
