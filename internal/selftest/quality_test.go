package selftest

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/eventq"
	"github.com/parley-voip/parley/phone"
)

// TestQualityLog keeps the latest figures of the last calls, one entry per
// call, the summary on call_ended marking it over.
func TestQualityLog(t *testing.T) {
	hub := eventq.New[phone.Event]()
	q := NewQualityLog(hub, 2)
	for _, ev := range []phone.Event{
		{Type: phone.EventCallQuality, Call: &phone.CallSession{SIPCallID: "a", Number: "1001"}, Quality: &phone.Quality{MOS: 3.1}},
		{Type: phone.EventCallQuality, Call: &phone.CallSession{SIPCallID: "b"}, Quality: &phone.Quality{MOS: 4.0}},
		{Type: phone.EventCallAccepted, Call: &phone.CallSession{SIPCallID: "c"}},
		{Type: phone.EventCallEnded, Call: &phone.CallSession{SIPCallID: "a", Number: "1001"}, Quality: &phone.Quality{MOS: 3.9}},
		{Type: phone.EventCallQuality, Call: &phone.CallSession{SIPCallID: "d"}, Quality: &phone.Quality{MOS: 2.0}},
	} {
		hub.Publish(ev)
	}
	hub.Close()
	deadline := time.After(waitLong)
	select {
	case <-q.done: // the hub closed the subscription after delivering all
	case <-deadline:
		t.Fatal("the quality log did not finish")
	}
	calls := q.Calls()
	if len(calls) != 2 || calls[0].CallID != "a" || !calls[0].Ended || calls[0].Quality.MOS != 3.9 || calls[1].CallID != "d" {
		t.Fatalf("calls %+v, want a (ended, 3.9) then d", calls)
	}
	q.Close()
}
