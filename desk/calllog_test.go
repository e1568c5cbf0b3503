package desk

import (
	"testing"

	"github.com/parley-voip/parley/phone"
)

// TestCallLogHasARealCall: a call Tone Bot makes to the agent, answered
// and hung up on the real phone, is in the server's call history (newest
// first, incoming, named), after the demo's older calls.
func TestCallLogHasARealCall(t *testing.T) {
	e := newEnv(t)
	before, err := e.desk.CallLog().Recent(testCtx(t), 0)
	if err != nil || len(before) != 3 {
		t.Fatalf("demo call log: %+v %v", before, err)
	}
	rc, err := e.demo.RingMe("1001")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the incoming call", func() bool { _, ok := e.line.Phone().Session(rc.SIPCallID); return ok })
	if err := e.line.Phone().Accept(testCtx(t), rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	// Talking as the server sees it too (calld's call bridged with the
	// bot's), before hanging up: the CDR's answer time is the server's.
	waitFor(t, "talking", func() bool {
		cs, ok := e.line.Phone().Session(rc.SIPCallID)
		return ok && cs.Status == phone.StatusEstablished && cs.Call != nil && len(cs.Call.TalkingToIDs()) > 0
	})
	if err := e.line.Phone().Hangup(testCtx(t), rc.SIPCallID); err != nil {
		t.Fatal(err)
	}
	var got []LogEntry
	waitFor(t, "the call in the server's log", func() bool {
		got, err = e.desk.CallLog().Recent(testCtx(t), 10)
		return err == nil && len(got) == 4
	})
	c := got[0]
	if !c.Incoming || c.Number != "1001" || c.Name != "Tone Bot" || !c.Answered || c.Start.IsZero() || c.End.IsZero() {
		t.Errorf("the real call: %+v", c)
	}
	if got[1].Number != "0611223344" || !got[1].Incoming || got[1].Answered {
		t.Errorf("seeded missed call: %+v", got[1])
	}
}
