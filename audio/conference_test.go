package audio

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/jitter"
	"github.com/parley-voip/parley/internal/testrig"
)

// Each party of a conference test plays one tone at 0.1 of full scale, so
// that the host plus six parties (0.7) never clip in anybody's mix.
var confTones = []float64{440, 620, 810, 1030, 1270, 1510, 1780}

func newToneEngine(t testing.TB, freq float64) *testEngine {
	t.Helper()
	rec := &audiotest.Recorder{}
	gen, err := dsp.NewToneGen(SampleRate, 0.1, freq)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(NullHost{Options: []NullOption{WithSink(rec.Sink), WithSource(gen.Fill)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &testEngine{Engine: e, rec: rec, freqs: []float64{freq}}
}

// confRig is a host engine with one call to each of n party engines.
type confRig struct {
	host    *testEngine
	parties []*testEngine
	legs    []*Pipeline     // host side, leg i is party i's call
	links   []*memTransport // party side of each link
	ids     []string
}

func newConfRig(t *testing.T, p codec.Params, n int) *confRig {
	t.Helper()
	r := &confRig{host: newToneEngine(t, confTones[0])}
	for i := range n {
		party := newToneEngine(t, confTones[i+1])
		th, tp := memPair(p)
		id := fmt.Sprintf("leg-%d", i)
		leg, err := r.host.Open(id, th)
		if err != nil {
			t.Fatal(err)
		}
		pp, err := party.Open("host", tp)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = leg.Close(); _ = pp.Close() })
		r.parties = append(r.parties, party)
		r.legs = append(r.legs, leg)
		r.links = append(r.links, tp)
		r.ids = append(r.ids, id)
	}
	return r
}

// others is every tone in the conference but party i's own (i = -1: the host).
func (r *confRig) others(i int) (want []float64, own float64) {
	for j := range len(r.parties) + 1 {
		if j == i+1 {
			own = confTones[j]
			continue
		}
		want = append(want, confTones[j])
	}
	return want, own
}

func (r *confRig) checkEveryone(t *testing.T, what string) {
	t.Helper()
	want, own := r.others(-1)
	audiotest.Hear(t, what+": host", r.host.rec, want, own)
	for i, party := range r.parties {
		want, own := r.others(i)
		audiotest.Hear(t, fmt.Sprintf("%s: party %d", what, i), party.rec, want, own)
	}
}

// TestConferenceMixMinusRealTime: with the phone engine's idea of the calls being
// "one active, one waiting, one held", the conference still makes every leg
// live: the host hears everybody, each party hears the host and the others
// but never itself; mute takes the host's microphone out of every leg; a
// stalled leg is silence and the rest goes on.
func TestConferenceMixMinusRealTime(t *testing.T) {
	testrig.RealTime(t)
	r := newConfRig(t, opusParams, 3)
	r.legs[1].SetActive(false)
	r.legs[2].SetActive(false)
	r.legs[2].SetHeld(true)
	if err := r.host.SetConference(r.ids...); err != nil {
		t.Fatal(err)
	}
	r.checkEveryone(t, "merged")

	r.legs[0].SetMuted(true)
	for i, party := range r.parties {
		want, own := r.others(i)
		audiotest.Hear(t, fmt.Sprintf("muted: party %d", i), party.rec, want[1:], own, confTones[0])
	}
	r.legs[0].SetMuted(false)
	r.checkEveryone(t, "unmuted")

	// Party 2 stops sending (its network dies): it is silence to the rest.
	r.links[2].setImpairment(impairment{LossPercent: 100})
	audiotest.Hear(t, "stalled: host", r.host.rec, confTones[1:3], confTones[3])
	audiotest.Hear(t, "stalled: party 0", r.parties[0].rec, []float64{confTones[0], confTones[2]}, confTones[1], confTones[3])
	audiotest.Hear(t, "stalled: party 2 still hears", r.parties[2].rec, confTones[:3], confTones[3])
	r.links[2].setImpairment(impairment{})
	r.checkEveryone(t, "recovered")
}

// TestConferenceLegLeavesRealTime: a leg that closes leaves the mix, the
// others go on; ending the conference gives the calls back their own
// active/held state.
func TestConferenceLegLeavesRealTime(t *testing.T) {
	testrig.RealTime(t)
	r := newConfRig(t, opusParams, 3)
	r.legs[1].SetActive(false)
	r.legs[2].SetActive(false)
	if err := r.host.SetConference(r.ids...); err != nil {
		t.Fatal(err)
	}
	r.checkEveryone(t, "merged")

	_ = r.legs[2].Close()
	if got := r.host.Conference(); len(got) != 2 {
		t.Fatalf("conference after a leg closed: %v", got)
	}
	audiotest.Hear(t, "after leave: host", r.host.rec, confTones[1:3], confTones[3])
	audiotest.Hear(t, "after leave: party 0", r.parties[0].rec, []float64{confTones[0], confTones[2]}, confTones[1], confTones[3])
	audiotest.Quiet(t, "the party who left", r.parties[2].rec)

	r.host.EndConference()
	audiotest.Hear(t, "ended: host hears the active call only", r.host.rec, confTones[1:2], confTones[2])
	audiotest.Hear(t, "ended: active party hears the host only", r.parties[0].rec, confTones[:1], confTones[2])
	audiotest.Quiet(t, "ended: waiting party", r.parties[1].rec)

	// A call whose audio is not open yet joins when it opens.
	if err := r.host.SetConference("leg-0", "later"); err != nil {
		t.Fatal(err)
	}
	if got := r.host.Conference(); len(got) != 1 || got[0] != "leg-0" {
		t.Fatalf("conference before the late call opened: %v", got)
	}
	th, _ := memPair(opusParams)
	late, err := r.host.Open("later", th)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if got := r.host.Conference(); len(got) != 2 {
		t.Fatalf("conference after the late call opened: %v", got)
	}
}

// TestConferenceSixPartiesRealTime: six parties, each hears the host and
// the five others, not itself.
func TestConferenceSixPartiesRealTime(t *testing.T) {
	testrig.RealTime(t)
	r := newConfRig(t, pcmuParams, 6)
	for _, l := range r.legs[1:] {
		l.SetActive(false)
		l.SetHeld(true)
	}
	if err := r.host.SetConference(r.ids...); err != nil {
		t.Fatal(err)
	}
	r.checkEveryone(t, "six parties")
}

// toneTransport answers every frame a leg sends with the next frame of the
// party's own pre-encoded tone (a loop-back would feed each leg its own
// mix-minus and build up a feedback howl that is not a real load).
type toneTransport struct {
	params  codec.Params
	handler func(*rtp.Packet)
	pkt     rtp.Packet
	frames  [][]byte
	next    int
}

func newToneTransport(b *testing.B, p codec.Params, freq float64) *toneTransport {
	enc, err := codec.NewEncoder(p)
	if err != nil {
		b.Fatal(err)
	}
	gen, _ := dsp.NewToneGen(SampleRate, 0.1, freq)
	t := &toneTransport{params: p}
	pcm, buf := make([]int16, FrameSamples), make([]byte, codec.MaxPayload)
	for range 50 {
		gen.Fill(pcm)
		n, err := enc.Encode(pcm, buf)
		if err != nil || n == 0 {
			b.Fatalf("pre-encoding the tone: %d bytes, %v", n, err)
		}
		t.frames = append(t.frames, slices.Clone(buf[:n]))
	}
	return t
}

func (t *toneTransport) Codec() codec.Params                { return t.params }
func (t *toneTransport) SetRTPHandler(fn func(*rtp.Packet)) { t.handler = fn }
func (t *toneTransport) SendAudio(_ []byte, d time.Duration) error {
	t.pkt.Version, t.pkt.PayloadType, t.pkt.SSRC = 2, t.params.PayloadType, 42
	t.pkt.Payload = t.frames[t.next%len(t.frames)]
	t.next++
	if t.handler != nil {
		t.handler(&t.pkt)
	}
	t.pkt.SequenceNumber++
	t.pkt.Timestamp += uint32(d * time.Duration(t.params.ClockRate) / time.Second)
	return nil
}

// BenchmarkConference is one 20 ms period of a conference of N parties on
// one goroutine: the device callback (mix-minus for every leg), then every
// leg's encode, send, jitter buffer and decode; each party "answers" with
// its own pre-encoded tone. It reports the CPU share of one core per
// participant (ns/op ÷ 20 ms ÷ N).
func BenchmarkConference(b *testing.B) {
	for _, n := range []int{2, 4, 6} {
		b.Run(fmt.Sprintf("opus/N=%d", n), func(b *testing.B) {
			e, err := NewEngine(NullHost{}, DeviceConfig{})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Unix(0, 0)
			e.opts.jitterOpts = []jitter.Option{jitter.WithClock(func() time.Time { return now })}
			var ps []*Pipeline
			for i := range n {
				tt := newToneTransport(b, opusParams, confTones[i+1])
				p, err := newPipeline(e, fmt.Sprint("leg-", i), tt)
				if err != nil {
					b.Fatal(err)
				}
				tt.handler = p.onRTP
				p.inConf.Store(true)
				ps = append(ps, p)
			}
			e.mix.pipes.Store(&ps)
			e.mix.conf.Store(newConfMix(ps))
			gen, _ := dsp.NewToneGen(SampleRate, 0.1, 440)
			in, out := make([]int16, FrameSamples), make([]int16, FrameSamples)
			frame := make([]int16, FrameSamples)
			pcm := make([]int16, codec.MaxFrameSamples)
			payload := make([]byte, codec.MaxPayload)
			var jf jitter.Frame
			step := func() {
				gen.Fill(in)
				e.mix.process(out, in)
				for _, p := range ps {
					<-p.wake
					p.sendCaptured(frame, payload)
					for p.playRing.Len() < p.lead {
						k := p.decodeNext(&jf, pcm)
						p.playRing.Write(pcm[:k])
					}
				}
				now = now.Add(frameDuration)
			}
			for range 50 {
				step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			perFrame := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(100*perFrame/frameDuration.Seconds()/float64(n), "%core/participant")
		})
	}
}

// BenchmarkConferenceCallback is the audio-thread work alone for N legs.
func BenchmarkConferenceCallback(b *testing.B) {
	for _, n := range []int{2, 6} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			e, _ := NewEngine(NullHost{}, DeviceConfig{})
			var ps []*Pipeline
			for range n {
				p, err := newPipeline(e, "bench", &loopTransport{params: opusParams})
				if err != nil {
					b.Fatal(err)
				}
				ps = append(ps, p)
			}
			e.mix.pipes.Store(&ps)
			e.mix.conf.Store(newConfMix(ps))
			in, out := make([]int16, FrameSamples), make([]int16, FrameSamples)
			b.ReportAllocs()
			for b.Loop() {
				e.mix.process(out, in)
				for _, p := range ps {
					<-p.wake
					p.capRing.Discard(FrameSamples)
					p.playRing.WriteZeros(FrameSamples)
				}
			}
		})
	}
}
