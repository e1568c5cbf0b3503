package audio

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/jitter"
)

// loopTransport sends each frame straight back into the pipeline's own
// jitter buffer through one reused packet, so a benchmark covers the whole
// per-frame path without the network or a packet allocation of its own.
type loopTransport struct {
	params  codec.Params
	handler func(*rtp.Packet)
	pkt     rtp.Packet
}

func (l *loopTransport) Codec() codec.Params                { return l.params }
func (l *loopTransport) SetRTPHandler(fn func(*rtp.Packet)) { l.handler = fn }
func (l *loopTransport) SendAudio(payload []byte, d time.Duration) error {
	l.pkt.Version, l.pkt.PayloadType, l.pkt.SSRC = 2, l.params.PayloadType, 42
	l.pkt.Payload = payload // jitter.Buffer copies it
	if l.handler != nil {
		l.handler(&l.pkt)
	}
	l.pkt.SequenceNumber++
	l.pkt.Timestamp += uint32(d * time.Duration(l.params.ClockRate) / time.Second)
	return nil
}

// BenchmarkFrame is one 20 ms frame of one call through the whole hot path,
// run synchronously: device callback (capture hand-off, playout pull, mix),
// encode, send, receive, jitter buffer, decode. The target is 0 allocs/op.
func BenchmarkFrame(b *testing.B) {
	for _, tc := range []struct {
		name   string
		params codec.Params
	}{{"opus", opusParams}, {"pcmu", pcmuParams}, {"g722", g722Params}} {
		b.Run(tc.name, func(b *testing.B) {
			e, err := NewEngine(NullHost{}, DeviceConfig{})
			if err != nil {
				b.Fatal(err)
			}
			lt := &loopTransport{params: tc.params}
			// A fake clock steps 20 ms per frame so the jitter buffer sees a
			// perfect network.
			now := time.Unix(0, 0)
			e.opts.jitterOpts = []jitter.Option{jitter.WithClock(func() time.Time { return now })}
			p, err := newPipeline(e, "bench", lt)
			if err != nil {
				b.Fatal(err)
			}
			lt.handler = p.onRTP
			snap := []*Pipeline{p}
			e.mix.pipes.Store(&snap)
			gen, _ := dsp.NewToneGen(SampleRate, 0.3, 440, 1250)
			in, out := make([]int16, FrameSamples), make([]int16, FrameSamples)
			frame := make([]int16, FrameSamples)
			pcm := make([]int16, codec.MaxFrameSamples)
			payload := make([]byte, codec.MaxPayload)
			var jf jitter.Frame
			step := func() {
				gen.Fill(in)
				e.mix.process(out, in)
				<-p.wake
				p.sendCaptured(frame, payload)
				for p.playRing.Len() < p.lead {
					n := p.decodeNext(&jf, pcm)
					p.playRing.Write(pcm[:n])
				}
				now = now.Add(frameDuration)
			}
			for range 50 { // warm up: buffers grown, jitter buffer playing
				step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				step()
			}
		})
	}
}

// BenchmarkMixerCallback is the audio-thread work alone for 1 and 10 calls.
func BenchmarkMixerCallback(b *testing.B) {
	for _, n := range []int{1, 10} {
		b.Run(map[int]string{1: "1call", 10: "10calls"}[n], func(b *testing.B) {
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
			in, out := make([]int16, FrameSamples), make([]int16, FrameSamples)
			b.ReportAllocs()
			for b.Loop() {
				e.mix.process(out, in)
				for _, p := range ps { // stand in for the pipeline goroutines
					<-p.wake
					p.capRing.Discard(FrameSamples)
					p.playRing.WriteZeros(FrameSamples)
				}
			}
		})
	}
}
