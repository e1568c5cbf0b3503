//go:build bench

package audio

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
)

// The delay our pipeline adds at default settings (20 ms device period,
// playout lead 2 periods, jitter buffer 40 ms start/min), on a perfect
// in-memory network. Each capture period carries a DC level that encodes its
// index (mod 15), which survives G.711 (PCMU) and its resampler, so frames
// can be followed from the microphone callback to SendAudio, and from the
// packet's arrival to the speaker callback that plays it. Run with
//
//	go test -tags bench -run TestPipelineDelay -v ./audio
func TestPipelineDelay(t *testing.T) {
	const levels, step = 15, 2000
	var mu sync.Mutex
	capAt := map[int]time.Time{}    // index → capture callback time
	sendAt := map[int]time.Time{}   // index → SendAudio time
	arriveAt := map[int]time.Time{} // index → receiver handler time
	playAt := map[int]time.Time{}   // index → first speaker callback playing it
	period := 0
	src := func(in []int16) {
		mu.Lock()
		defer mu.Unlock()
		v := int16((period % levels) * step)
		for i := range in {
			in[i] = v
		}
		capAt[period] = time.Now()
		period++
	}
	level := func(x int16) int { return (int(x) + step/2) / step }
	// unwrap maps an index mod levels to the latest absolute index seen.
	unwrap := func(m int, ref int) int {
		k := ref - (ref-m)%levels
		if (ref-m)%levels < 0 {
			k -= levels
		}
		return k
	}
	a, err := NewEngine(NullHost{Options: []NullOption{WithSource(src)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	played := 0
	sink := func(out []int16) {
		mu.Lock()
		defer mu.Unlock()
		v := out[len(out)/2]
		if v == 0 {
			return
		}
		k := unwrap(level(v)%levels, period)
		if _, ok := playAt[k]; !ok {
			playAt[k] = time.Now()
			played++
		}
	}
	b, err := NewEngine(NullHost{Options: []NullOption{WithSink(sink)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ta, tb := memPair(pcmuParams)
	tw := &timedTransport{memTransport: ta, onSend: func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		sendAt[unwrap(level(codec.ULawToLinear(p[len(p)/2]))%levels, period)] = time.Now()
	}}
	rw := &timedTransport{memTransport: tb, onRecv: func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		arriveAt[unwrap(level(codec.ULawToLinear(p[len(p)/2]))%levels, period)] = time.Now()
	}}
	pa, err := a.Open("a", tw)
	if err != nil {
		t.Fatal(err)
	}
	defer pa.Close()
	pb, err := b.Open("b", rw)
	if err != nil {
		t.Fatal(err)
	}
	defer pb.Close()
	time.Sleep(12 * time.Second)

	mu.Lock()
	defer mu.Unlock()
	var c2r, r2p []time.Duration
	for k, s := range sendAt {
		if k < 100 { // skip the start-up
			continue
		}
		if c, ok := capAt[k]; ok {
			c2r = append(c2r, s.Sub(c))
		}
		if r, ok := arriveAt[k]; ok {
			if p, ok := playAt[k]; ok {
				r2p = append(r2p, p.Sub(r))
			}
		}
	}
	med := func(d []time.Duration) (time.Duration, time.Duration) {
		if len(d) == 0 {
			return 0, 0
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2], d[len(d)*95/100]
	}
	m1, p1 := med(c2r)
	m2, p2 := med(r2p)
	t.Logf("RESULT capture->RTP (callback to SendAudio) median %v p95 %v over %d frames", m1, p1, len(c2r))
	t.Logf("RESULT RTP->playback (arrival to speaker callback) median %v p95 %v over %d frames", m2, p2, len(r2p))
	t.Logf("stats receiver: %+v", pb.Stats())
}

// timedTransport observes a memTransport's packets.
type timedTransport struct {
	*memTransport
	onSend func(payload []byte)
	onRecv func(payload []byte)
}

func (w *timedTransport) SendAudio(p []byte, d time.Duration) error {
	if w.onSend != nil {
		w.onSend(p)
	}
	return w.memTransport.SendAudio(p, d)
}

func (w *timedTransport) SetRTPHandler(fn func(*rtp.Packet)) {
	w.memTransport.SetRTPHandler(func(pkt *rtp.Packet) {
		if w.onRecv != nil {
			w.onRecv(pkt.Payload)
		}
		fn(pkt)
	})
}
