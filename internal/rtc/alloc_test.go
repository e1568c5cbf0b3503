package rtc

import (
	"testing"
	"time"
)

// TestSendAudioAllocs reports SendAudio's steady-state allocations (logged,
// not asserted: they happen inside pion's SRTP and interceptor chain).
func TestSendAudioAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	a, b := newTestSession(t), newTestSession(t)
	sinkB := newSink(b)
	connect(t, a, b)
	sendUntil(ctxT(t), t, a, sinkB, 3, frameFor(1, 80))
	frame := make([]byte, 80)
	allocs := testing.AllocsPerRun(200, func() { _ = a.SendAudio(frame, 20*time.Millisecond) })
	t.Logf("SendAudio: %.1f allocs/op", allocs)
}
