package audio

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
)

var (
	opusParams = codec.Params{Name: codec.NameOpus, ClockRate: 48000, Channels: 2, PayloadType: 111}
	pcmuParams = codec.Params{Name: codec.NamePCMU, ClockRate: 8000, Channels: 1, PayloadType: 0}
	// RFC 3551 §4.5.2: G722/8000 on the RTP clock, 16 kHz audio.
	g722Params = codec.Params{Name: codec.NameG722, ClockRate: 8000, Channels: 1, PayloadType: 9}
)

// testEngine is an Engine on a null device whose microphone is a tone.
type testEngine struct {
	*Engine
	rec   *audiotest.Recorder
	freqs []float64
}

func newTestEngine(t testing.TB, cfg DeviceConfig, freqs ...float64) *testEngine {
	t.Helper()
	rec := &audiotest.Recorder{}
	var opts []NullOption
	opts = append(opts, WithSink(rec.Sink))
	if len(freqs) > 0 {
		gen, err := dsp.NewToneGen(SampleRate, 0.3, freqs...)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, WithSource(gen.Fill))
	}
	e, err := NewEngine(NullHost{Options: opts}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return &testEngine{Engine: e, rec: rec, freqs: freqs}
}

// impairment is what a memLink does to packets on the way.
type impairment struct {
	LossPercent float64
	Jitter      time.Duration // extra delay, uniform in [0, Jitter)
}

// memTransport is one end of an in-memory RTP link: what one end sends,
// the other end's handler receives, through an optional impairment.
type memTransport struct {
	params codec.Params
	peer   *memTransport

	mu      sync.Mutex
	handler func(*rtp.Packet)
	seq     uint16
	ts      uint32
	ssrc    uint32
	impair  impairment
	rng     *rand.Rand

	sent, delivered, dropped atomic.Uint64
	lastLen                  atomic.Int64 // payload size of the last packet sent
	timers                   sync.WaitGroup
}

func memPair(p codec.Params) (*memTransport, *memTransport) {
	a := &memTransport{params: p, ssrc: 0x1111, rng: rand.New(rand.NewPCG(1, 2))}
	b := &memTransport{params: p, ssrc: 0x2222, rng: rand.New(rand.NewPCG(3, 4))}
	a.peer, b.peer = b, a
	return a, b
}

func (m *memTransport) Codec() codec.Params { return m.params }

func (m *memTransport) SetRTPHandler(fn func(*rtp.Packet)) {
	m.mu.Lock()
	m.handler = fn
	m.mu.Unlock()
}

// setImpairment changes what happens to the packets this end sends.
func (m *memTransport) setImpairment(i impairment) {
	m.mu.Lock()
	m.impair = i
	m.mu.Unlock()
}

func (m *memTransport) SendAudio(payload []byte, d time.Duration) error {
	m.mu.Lock()
	pkt := &rtp.Packet{
		Header: rtp.Header{
			Version: 2, PayloadType: m.params.PayloadType,
			SequenceNumber: m.seq, Timestamp: m.ts, SSRC: m.ssrc,
		},
		Payload: slices.Clone(payload),
	}
	m.seq++
	m.ts += uint32(d * time.Duration(m.params.ClockRate) / time.Second)
	imp := m.impair
	lost := imp.LossPercent > 0 && m.rng.Float64()*100 < imp.LossPercent
	var delay time.Duration
	if imp.Jitter > 0 {
		delay = time.Duration(m.rng.Int64N(int64(imp.Jitter)))
	}
	m.mu.Unlock()
	m.sent.Add(1)
	m.lastLen.Store(int64(len(payload)))
	if lost {
		m.dropped.Add(1)
		return nil
	}
	if delay == 0 {
		m.peer.deliver(pkt)
		return nil
	}
	m.timers.Add(1)
	time.AfterFunc(delay, func() {
		defer m.timers.Done()
		m.peer.deliver(pkt)
	})
	return nil
}

func (m *memTransport) deliver(pkt *rtp.Packet) {
	m.mu.Lock()
	h := m.handler
	m.mu.Unlock()
	if h != nil {
		m.delivered.Add(1)
		h(pkt)
	}
}

func logStats(t testing.TB, who string, p *Pipeline) {
	t.Helper()
	s := p.Stats()
	t.Logf("%s: delay %v target %v concealed %d sent %d underruns %d jitter %+v", who, s.PlayoutDelay, s.TargetDelay, s.ConcealedFrames, s.FramesSent, s.Underruns, s.Jitter)
}
