package phoneaudio_test

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/phone/phonetest"
)

// The bad network on the real path: two phones call through
// kamailio (Opus, ICE, DTLS-SRTP over real UDP sockets), and bob's ICE socket
// is an impairedConn, a user-space relay (no netem in this kernel,
// ) that drops 5 % of the RTP/RTCP packets alice sends him and
// holds each of the others for a random 0..60 ms (30 ms mean, reordering
// allowed). Bob must hear alice's tone without a drop-out longer than one
// 20 ms concealment window, count concealed frames (in PipelineStats and in
// call_quality), and play out later while the jitter lasts; once the relay
// is switched back to clean, the playout delay must come back down.
func TestRealUDPConcealsLossAndAdaptsToJitterRealTime(t *testing.T) {
	// Two engines, Opus both ways, DTLS and a relay in one process: under
	// the race detector on a busy machine the "calm" phase already starves
	// the playout (hundreds of device underruns, the jitter target at its
	// ceiling), so growth under jitter cannot be judged.
	testrig.RealTime(t)
	testrig.Require(t, "kamailio")
	const tone = 1000.0
	kam := testrig.StartKamailio(t)
	media := rtc.Config{IncludeLoopback: true, Codecs: []string{"opus"}}

	relay := listenImpaired(t, 0.05, 60*time.Millisecond, 1)
	mux := webrtc.NewICEUDPMux(nil, relay)
	t.Cleanup(func() { _ = mux.Close() }) // after the phones' cleanup (LIFO)

	ae, _ := toneEngine(t, tone)
	be, brec := toneEngine(t)
	alice := newPhone(t, kam, "alice", ae, media)
	bob := newPhone(t, kam, "bob", be, media,
		phone.WithQualityInterval(200*time.Millisecond),
		phone.WithMediaOptions(rtc.WithSettingEngine(func(se *webrtc.SettingEngine) { se.SetICEUDPMux(mux) })))
	aev, bev := phonetest.Record(t, alice), phonetest.Record(t, bob)

	if _, err := alice.Call(ctxT(t), "sip:bob@"+kam.UDPAddr); err != nil {
		t.Fatal(err)
	}
	in := bev.Next(phone.EventCallIncoming)
	if err := bob.Accept(ctxT(t), in.Call.ID()); err != nil {
		t.Fatal(err)
	}
	aev.Next(phone.EventMediaConnected)
	bev.Next(phone.EventMediaConnected)
	audiotest.Hear(t, "bob on a clean link", brec, []float64{tone})

	pls := be.Pipelines()
	if len(pls) != 1 {
		t.Fatalf("bob's engine carries %d calls, want 1", len(pls))
	}
	pb := pls[0]
	// The calm figures: the jitter buffer's target, and the highest measured
	// playout delay over a second (it moves by up to a device period).
	calm := pb.Stats()
	calmPlayout := calm.PlayoutDelay
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		calmPlayout = max(calmPlayout, pb.Stats().PlayoutDelay)
	}
	logPipeline(t, "calm", pb)

	relay.setImpaired(true)
	audiotest.WaitFor(t, 30*time.Second, "the playout delay to grow under jitter", func() bool {
		s := pb.Stats()
		return s.TargetDelay > calm.TargetDelay && s.PlayoutDelay > calmPlayout
	})
	// Judge a 4 s window in which bob's device never underran: an underrun
	// is the machine (the race detector on 2 shared cores) starving the
	// pipeline goroutine, not the network. If every window has underruns,
	// allow each its 20 ms of silence and no more.
	var (
		before, during audio.PipelineStats
		longest, total int
		underruns      uint64
	)
	for try := range 5 {
		before = pb.Stats()
		x := brec.Wait(t, brec.Len()+audio.SampleRate/2, 4*audio.SampleRate)
		during = pb.Stats()
		longest, total = audiotest.Gaps(x, tone)
		underruns = during.Underruns - before.Underruns
		t.Logf("window %d: longest gap %d × 10 ms, %d windows in all; %d device underruns", try, longest, total, underruns)
		if underruns == 0 {
			break
		}
	}
	logPipeline(t, "impaired", pb)
	dropped, delayed := relay.dropped.Load(), relay.delayed.Load()
	t.Logf("relay: %d RTP/RTCP packets dropped, %d delayed", dropped, delayed)
	if dropped == 0 || delayed == 0 {
		t.Fatalf("the relay impaired nothing (dropped %d, delayed %d)", dropped, delayed)
	}
	if c := during.ConcealedFrames - before.ConcealedFrames; c == 0 {
		t.Errorf("no frame concealed during 4 s at 5 %% loss (%d dropped so far)", dropped)
	}
	// A drop-out shows as the tone falling 20 dB below its median level;
	// one concealment window is 20 ms, two 10 ms analysis windows.
	if allowed := 2 + 2*int(underruns); longest > allowed {
		t.Errorf("a drop-out of %d ms in the received tone (device underruns %d)", longest*10, underruns)
	}
	if during.TargetDelay <= calm.TargetDelay {
		t.Errorf("target delay %v did not grow above %v under 30 ms jitter", during.TargetDelay, calm.TargetDelay)
	}
	// The phone reports the same through call_quality.
	q := qualityWhere(t, bev, func(q *phone.Quality) bool { return q.ConcealedFrames > 0 && q.PlayoutDelay > calmPlayout })
	t.Logf("call_quality while impaired: %+v", *q)

	relay.setImpaired(false)
	audiotest.WaitFor(t, 60*time.Second, "the playout delay to come back down", func() bool {
		s := pb.Stats()
		return s.TargetDelay <= calm.TargetDelay && s.PlayoutDelay <= calmPlayout+20*time.Millisecond
	})
	logPipeline(t, "recovered", pb)
	audiotest.Hear(t, "bob after the jitter stops", brec, []float64{tone})
}

// qualityWhere waits for a call_quality event whose report satisfies ok.
func qualityWhere(t *testing.T, ev *phonetest.Recorder, ok func(*phone.Quality) bool) *phone.Quality {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	var last *phone.Quality
	for time.Now().Before(deadline) {
		e := ev.Next(phone.EventCallQuality)
		if e.Quality == nil {
			continue
		}
		last = e.Quality
		if ok(e.Quality) {
			return e.Quality
		}
	}
	t.Fatalf("no matching call_quality within %s; last %+v", eventWait, last)
	return nil
}

func logPipeline(t *testing.T, who string, p *audio.Pipeline) {
	t.Helper()
	s := p.Stats()
	t.Logf("%s: playout delay %v target %v concealed %d underruns %d jitter %+v", who, s.PlayoutDelay, s.TargetDelay, s.ConcealedFrames, s.Underruns, s.Jitter)
}
