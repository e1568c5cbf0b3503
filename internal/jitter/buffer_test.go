package jitter

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"
)

const frame = 20 * time.Millisecond

// arrival is one packet reaching the receiver at a simulated time.
type arrival struct {
	p  *rtp.Packet
	at time.Duration
}

// stream describes a simulated sender and network.
type stream struct {
	n        int
	seq0     uint16
	ts0      uint32
	ssrc     uint32
	ppm      float64                   // sender clock error: + runs fast
	delay    func(i int) time.Duration // network delay of packet i
	drop     func(i int) bool
	dup      bool
	start    time.Duration
	tsPerPkt uint32
	firstIdx int
}

func (s stream) packets() []arrival {
	var out []arrival
	step := float64(frame) / (1 + s.ppm*1e-6)
	tsStep := s.tsPerPkt
	if tsStep == 0 {
		tsStep = 960
	}
	for i := range s.n {
		if s.drop != nil && s.drop(i) {
			continue
		}
		payload := make([]byte, 8)
		binary.BigEndian.PutUint64(payload, uint64(s.firstIdx+i))
		p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111,
			SequenceNumber: s.seq0 + uint16(i), Timestamp: s.ts0 + uint32(i)*tsStep, SSRC: s.ssrc}, Payload: payload}
		at := s.start + time.Duration(float64(i)*step)
		if s.delay != nil {
			at += s.delay(i)
		}
		out = append(out, arrival{p, at})
		if s.dup {
			out = append(out, arrival{p, at + time.Millisecond})
		}
	}
	return out
}

// played is what one Pop produced, reduced to what tests check.
type played struct {
	kind Kind
	idx  int // sender index of a KindPacket, or of the FEC packet
	fec  bool
}

// run drives the buffer with a fake clock: arrivals are pushed at their
// time, Pop is called every 20 ms (plus ppm of sound-card clock error)
// starting 7 ms into the first period, as a playback callback would.
func run(t *testing.T, b *Buffer, arr []arrival, d time.Duration, onPop func(k int, b *Buffer)) []played {
	t.Helper()
	slices.SortStableFunc(arr, func(x, y arrival) int { return int(x.at - y.at) })
	t0 := time.Unix(1_700_000_000, 0)
	var out []played
	var f Frame
	j := 0
	for k := 0; time.Duration(k)*frame < d; k++ {
		now := 7*time.Millisecond + time.Duration(k)*frame
		for ; j < len(arr) && arr[j].at <= now; j++ {
			b.PushAt(arr[j].p, t0.Add(arr[j].at))
		}
		b.Pop(&f)
		pl := played{kind: f.Kind, idx: -1}
		switch {
		case f.Kind == KindPacket:
			pl.idx = int(binary.BigEndian.Uint64(f.Payload))
		case f.Kind == KindLost && len(f.FEC) == 8:
			pl.idx, pl.fec = int(binary.BigEndian.Uint64(f.FEC)), true
		}
		out = append(out, pl)
		if onPop != nil {
			onPop(k, b)
		}
	}
	return out
}

// concealed counts frames concealed for missing packets before the last
// played packet: it leaves out the frames concealed after the stream ends
// and the frames inserted to grow the delay (also KindLost).
func concealed(ps []played, st Stats) int {
	last := 0
	for i, p := range ps {
		if p.kind == KindPacket {
			last = i
		}
	}
	return count(ps[:last], KindLost) - int(st.Inserted)
}

func count(ps []played, k Kind) int {
	n := 0
	for _, p := range ps {
		if p.kind == k {
			n++
		}
	}
	return n
}

// packetOrder returns the sender indexes played, in playout order.
func packetOrder(ps []played) []int {
	var idx []int
	for _, p := range ps {
		if p.kind == KindPacket {
			idx = append(idx, p.idx)
		}
	}
	return idx
}

func increasing(idx []int) bool {
	for i := 1; i < len(idx); i++ {
		if idx[i] <= idx[i-1] {
			return false
		}
	}
	return true
}

func fixed(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

func TestInOrderAndWrap(t *testing.T) {
	tests := []struct {
		name string
		seq0 uint16
		ts0  uint32
	}{
		{"plain", 1000, 123456},
		{"sequence wraps", 65500, 5000},
		{"timestamp wraps", 10, 0xFFFFFFFF - 960*20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New(48000)
			arr := stream{n: 250, seq0: tc.seq0, ts0: tc.ts0, ssrc: 1, delay: fixed(30 * time.Millisecond)}.packets()
			ps := run(t, b, arr, 5*time.Second+200*time.Millisecond, nil)
			st := b.Stats()
			if got := packetOrder(ps); len(got) != 250 || !increasing(got) {
				t.Fatalf("played %d packets, in order %v", len(got), increasing(got))
			}
			if concealed(ps, st) != 0 || st.Late != 0 || st.Dropped != 0 || st.Resyncs != 0 {
				t.Fatalf("stats %+v", st)
			}
			if st.Target != 40*time.Millisecond {
				t.Fatalf("target %v", st.Target)
			}
		})
	}
}

func TestReorderAndDuplicates(t *testing.T) {
	tests := []struct {
		name  string
		s     stream
		check func(t *testing.T, st Stats)
	}{
		{"pairs swapped", stream{n: 250, ssrc: 7, delay: func(i int) time.Duration {
			if i%2 == 0 {
				return 35 * time.Millisecond // even packets overtaken by odd ones
			}
			return 10 * time.Millisecond
		}}, func(t *testing.T, st Stats) {}},
		{"every packet twice", stream{n: 250, ssrc: 7, dup: true, delay: fixed(10 * time.Millisecond)},
			func(t *testing.T, st Stats) {
				if st.Duplicates != 250 {
					t.Fatalf("duplicates %d", st.Duplicates)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := New(48000)
			ps := run(t, b, tc.s.packets(), 5*time.Second+300*time.Millisecond, nil)
			st := b.Stats()
			got := packetOrder(ps)
			if len(got) != 250 || !increasing(got) {
				t.Fatalf("played %d in order=%v, stats %+v", len(got), increasing(got), st)
			}
			if concealed(ps, st) != 0 || st.Late != 0 {
				t.Fatalf("stats %+v", st)
			}
			tc.check(t, st)
		})
	}
}

func TestLoss(t *testing.T) {
	b := New(48000)
	lost := func(i int) bool { return i%20 == 7 } // 5 %
	arr := stream{n: 500, ssrc: 9, delay: fixed(15 * time.Millisecond), drop: lost}.packets()
	ps := run(t, b, arr, 10*time.Second+200*time.Millisecond, nil)
	st := b.Stats()
	if concealed(ps, st) != 25 || st.Played != 475 {
		t.Fatalf("stats %+v", st)
	}
	// Every loss is reported in place, with the next packet for FEC.
	for i, p := range ps[:len(ps)-12] {
		if p.kind != KindLost {
			continue
		}
		if !p.fec || !lost(p.idx-1) {
			t.Fatalf("pop %d: lost frame without the following packet: %+v", i, p)
		}
		if i+1 >= len(ps) || ps[i+1].kind != KindPacket || ps[i+1].idx != p.idx {
			t.Fatalf("pop %d: the FEC packet is not played next", i)
		}
	}
}

func TestJitterGrowsThenShrinks(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 42))
	const n = 3000 // 60 s
	jittery := func(i int) time.Duration {
		if i >= 1000 && i < 2000 { // seconds 20-40: up to 30 ms of jitter
			return 10*time.Millisecond + time.Duration(r.Float64()*float64(30*time.Millisecond))
		}
		return 10 * time.Millisecond
	}
	delays := make([]time.Duration, n)
	for i := range delays {
		delays[i] = jittery(i)
	}
	b := New(48000)
	var calm, noisy, after Stats
	arr := stream{n: n, ssrc: 3, delay: func(i int) time.Duration { return delays[i] }}.packets()
	ps := run(t, b, arr, 60*time.Second, func(k int, b *Buffer) {
		switch k {
		case 950:
			calm = b.Stats()
		case 1950:
			noisy = b.Stats()
		case 2990:
			after = b.Stats()
		}
	})
	t.Logf("calm %v/%v, jittery %v/%v (jitter %v), after %v/%v", calm.Target, calm.Delay, noisy.Target, noisy.Delay, noisy.Jitter, after.Target, after.Delay)
	if calm.Target > 40*time.Millisecond {
		t.Errorf("calm target %v", calm.Target)
	}
	if noisy.Target < 60*time.Millisecond || noisy.Delay < 40*time.Millisecond {
		t.Errorf("jittery: target %v delay %v did not grow", noisy.Target, noisy.Delay)
	}
	if noisy.Target > 200*time.Millisecond {
		t.Errorf("target %v above max", noisy.Target)
	}
	if after.Target > 40*time.Millisecond || after.Delay > 60*time.Millisecond {
		t.Errorf("after jitter stopped: target %v delay %v did not come back", after.Target, after.Delay)
	}
	// Loss stays low once adapted: count concealment during the last 10 s of jitter.
	lateLoss := 0
	for _, p := range ps[1500:2000] {
		if p.kind == KindLost {
			lateLoss++
		}
	}
	if lateLoss > 10 { // 2 %
		t.Errorf("%d of 500 frames concealed under steady 30 ms jitter", lateLoss)
	}
	if got := packetOrder(ps); !increasing(got) {
		t.Error("out of order playout")
	}
}

func TestSSRCChangeAndTimestampJump(t *testing.T) {
	tests := []struct {
		name string
		b    stream
	}{
		{"new SSRC", stream{n: 100, ssrc: 2, seq0: 40000, ts0: 999, start: 2 * time.Second}},
		{"timestamp jump", stream{n: 100, ssrc: 1, seq0: 100, ts0: 123456 + 100*960 + 48000*30, start: 2 * time.Second}},
		{"timestamp back", stream{n: 100, ssrc: 1, seq0: 100, ts0: 5, start: 2 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := stream{n: 100, ssrc: 1, seq0: 0, ts0: 123456, delay: fixed(10 * time.Millisecond)}
			tc.b.delay, tc.b.firstIdx = fixed(10*time.Millisecond), 1000
			arr := append(a.packets(), tc.b.packets()...)
			b := New(48000)
			ps := run(t, b, arr, 4*time.Second+200*time.Millisecond, nil)
			st := b.Stats()
			got := packetOrder(ps)
			// The old stream's last buffered packet is flushed by the switch.
			if st.Resyncs != 1 || len(got) < 199 || !increasing(got) {
				t.Fatalf("resyncs %d, played %d in order %v; %+v", st.Resyncs, len(got), increasing(got), st)
			}
			if c := concealed(ps, st); c > 2 {
				t.Fatalf("concealed %d across the switch", c)
			}
		})
	}
}

func TestDrift(t *testing.T) {
	tests := []struct {
		name string
		ppm  float64
	}{
		{"sender fast +100 ppm", 100},
		{"sender slow -100 ppm", -100},
		{"sender fast +1000 ppm", 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const minutes = 10
			n := minutes * 60 * 50
			b := New(48000)
			r := rand.New(rand.NewPCG(1, 2))
			arr := stream{n: n, ssrc: 5, ppm: tc.ppm, delay: func(int) time.Duration {
				return 10*time.Millisecond + time.Duration(r.Float64()*float64(4*time.Millisecond))
			}}.packets()
			var maxDelay time.Duration
			ps := run(t, b, arr, minutes*time.Minute-time.Second, func(k int, b *Buffer) {
				if k > 500 {
					maxDelay = max(maxDelay, b.Stats().Delay)
				}
			})
			st := b.Stats()
			// 100 ppm over 10 min is 60 ms: three frames to drop or insert.
			want := int(float64(n) * tc.ppm * 1e-6)
			t.Logf("%+v, max delay %v, want ~%d adjustments", st, maxDelay, want)
			if tc.ppm > 0 && (st.Dropped < uint64(want)-1 || st.Dropped > uint64(want)+3) {
				t.Errorf("dropped %d, want about %d", st.Dropped, want)
			}
			if tc.ppm < 0 && (st.Inserted < uint64(-want)-1 || st.Inserted > uint64(-want)+3) {
				t.Errorf("inserted %d, want about %d", st.Inserted, -want)
			}
			if maxDelay > st.Target+2*frame {
				t.Errorf("delay reached %v with target %v", maxDelay, st.Target)
			}
			if c := concealed(ps, st); c > 5 {
				t.Errorf("concealed %d", c)
			}
			if !increasing(packetOrder(ps)) {
				t.Error("out of order")
			}
		})
	}
}

func TestSilenceWhenIdle(t *testing.T) {
	b := New(48000)
	var f Frame
	b.Pop(&f)
	if f.Kind != KindSilence {
		t.Fatalf("empty buffer: %v", f.Kind)
	}
	// The far end stops: a few frames are concealed, then silence; when
	// it resumes (DTX talk spurt), playout restarts without a resync.
	a := stream{n: 50, ssrc: 1, delay: fixed(5 * time.Millisecond)}
	c := stream{n: 50, ssrc: 1, seq0: 50, ts0: 50*960 + 48000*3, start: 4 * time.Second, firstIdx: 50, delay: fixed(5 * time.Millisecond)}
	ps := run(t, b, append(a.packets(), c.packets()...), 6*time.Second, nil)
	st := b.Stats()
	if st.Resyncs != 0 || len(packetOrder(ps)) != 100 {
		t.Fatalf("%+v", st)
	}
	if c := concealed(ps, st); c > 11 {
		t.Fatalf("concealed %d frames of a pause", c)
	}
	if ps[len(ps)-1].kind != KindSilence {
		t.Fatalf("last pop %v", ps[len(ps)-1].kind)
	}
}

func TestPushNilAndGarbage(t *testing.T) {
	b := New(0, WithDelay(40*time.Millisecond, 20*time.Millisecond, 10*time.Millisecond))
	b.Push(nil)
	r := rand.New(rand.NewPCG(3, 3))
	var f Frame
	for range 5000 {
		p := &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(r.Uint32()), Timestamp: r.Uint32(), SSRC: r.Uint32() % 3},
			Payload: make([]byte, r.IntN(2000))}
		b.PushAt(p, time.Unix(int64(r.IntN(100)), 0))
		b.Pop(&f)
	}
	_ = b.Stats()
	b.Reset()
}

func BenchmarkPushPop(b *testing.B) {
	buf := New(48000)
	p := &rtp.Packet{Header: rtp.Header{SSRC: 1}, Payload: make([]byte, 80)}
	var f Frame
	t0 := time.Unix(0, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.SequenceNumber = uint16(i)
		p.Timestamp = uint32(i * 960)
		buf.PushAt(p, t0.Add(time.Duration(i)*frame))
		buf.Pop(&f)
		i++
	}
}
