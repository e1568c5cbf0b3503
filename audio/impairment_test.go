package audio

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/testrig"
)

// A bad network between two engines: 5 % loss and up to 30 ms of jitter
// (which also reorders), applied by the in-memory link, the user-space
// stand-in for netem that this kernel lacks. The far end
// must hear a continuous tone: lost packets concealed (Opus FEC/PLC), no
// drop-out longer than one 20 ms concealment window, judged on the tone's
// envelope per 10 ms. The playout delay must grow while the jitter lasts and
// come back down once it stops.
func TestEngineConcealsLossAndAdaptsToJitterRealTime(t *testing.T) {
	testrig.RealTime(t)
	const tone = 1000.0
	a := newTestEngine(t, DeviceConfig{}, tone)
	b := newTestEngine(t, DeviceConfig{})
	_, pb, ta, _ := call(t, opusParams, a, b)
	audiotest.Hear(t, "clean link", b.rec, []float64{tone})
	calm := pb.Stats().TargetDelay

	ta.setImpairment(impairment{LossPercent: 5, Jitter: 30 * time.Millisecond})
	// Let the jitter estimate settle (RFC 3550 A.8 smooths over 16 packets).
	audiotest.WaitFor(t, 30*time.Second, "the playout delay to grow", func() bool {
		return pb.Stats().TargetDelay > calm
	})
	// Judge a 4 s window in which the device never underran: an underrun is
	// the machine (other work on 2 shared cores) starving the
	// pipeline goroutine, not the network. If every window has underruns,
	// allow each its 20 ms of silence and no more.
	var (
		before, during PipelineStats
		longest, total int
		underruns      uint64
	)
	for try := range 5 {
		before = pb.Stats()
		x := b.rec.Wait(t, b.rec.Len()+SampleRate/2, 4*SampleRate)
		during = pb.Stats()
		longest, total = audiotest.Gaps(x, tone)
		underruns = during.Underruns - before.Underruns
		t.Logf("window %d: longest gap %d × 10 ms, %d windows in all; %d device underruns", try, longest, total, underruns)
		if underruns == 0 {
			break
		}
	}
	logStats(t, "impaired", pb)
	lost := ta.dropped.Load()
	if lost == 0 {
		t.Fatal("the link dropped nothing")
	}
	if c := during.ConcealedFrames - before.ConcealedFrames; c == 0 {
		t.Errorf("no frame concealed during 4 s at 5 %% loss (%d dropped so far)", lost)
	}
	// A drop-out shows as the tone falling 20 dB below its median level;
	// one concealment window is 20 ms, two 10 ms analysis windows.
	if allowed := 2 + 2*int(underruns); longest > allowed {
		t.Errorf("a drop-out of %d ms in the received tone (device underruns %d)", longest*10, underruns)
	}
	if during.TargetDelay <= calm {
		t.Errorf("target delay %v did not grow above %v under 30 ms jitter", during.TargetDelay, calm)
	}

	ta.setImpairment(impairment{})
	// Both the target and the measured delay must return to the calm
	// figure (within a frame for the measurement).
	audiotest.WaitFor(t, 60*time.Second, "the playout delay to come back down", func() bool {
		s := pb.Stats()
		return s.TargetDelay <= calm && s.Jitter.Delay <= calm+frameDuration
	})
	logStats(t, "recovered", pb)
	audiotest.Hear(t, "after the jitter stops", b.rec, []float64{tone})
}
