// Package jitter is Parley's playout buffer: RTP packets go in as they
// arrive from the network, and the playback clock pulls one frame per
// device period. The buffer absorbs network jitter with an adaptive delay,
// reorders, drops duplicates, reports losses so the decoder can conceal
// them (PLC, or Opus FEC from the following packet), follows SSRC changes
// and timestamp jumps, and compensates sender/sound-card clock drift.
package jitter

import (
	"math"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// Kind says what Pop produced.
type Kind uint8

const (
	// KindSilence: nothing to play (not started, re-buffering, or the far
	// end stopped sending). Play silence; do not run PLC.
	KindSilence Kind = iota
	// KindPacket: Payload holds the packet to decode.
	KindPacket
	// KindLost: a frame is missing (or inserted to grow the buffer). Run the
	// decoder's concealment; FEC, when non-empty, is the following packet,
	// whose Opus LBRR data can rebuild the missing frame (RFC 6716 §2.1.7).
	KindLost
)

func (k Kind) String() string {
	switch k {
	case KindPacket:
		return "packet"
	case KindLost:
		return "lost"
	}
	return "silence"
}

// Frame is what Pop returns. The caller owns it and reuses it across Pop
// calls: Payload and FEC reuse their backing arrays, so steady-state Pop
// does not allocate.
type Frame struct {
	Kind           Kind
	Payload        []byte
	FEC            []byte
	SequenceNumber uint16
	Timestamp      uint32
	SSRC           uint32
	PayloadType    uint8
}

// Stats is a snapshot of the buffer's counters.
type Stats struct {
	Target     time.Duration // playout delay the buffer aims for
	Delay      time.Duration // measured (smoothed) buffered audio ahead of playout
	Jitter     time.Duration // RFC 3550 A.8 interarrival jitter estimate
	Received   uint64        // packets pushed
	Played     uint64        // packets returned as KindPacket
	Concealed  uint64        // KindLost frames for missing packets
	Inserted   uint64        // KindLost frames inserted to grow the delay (drift, jitter)
	Dropped    uint64        // packets discarded to shrink the delay or on overflow
	Late       uint64        // packets that arrived after their playout time
	Duplicates uint64
	Resyncs    uint64 // SSRC changes and timestamp jumps
}

// slot holds one buffered packet. Payload storage is reused.
type slot struct {
	used    bool
	ts      int64 // extended RTP timestamp
	seq     uint16
	pt      uint8
	payload []byte
}

// Buffer is the adaptive playout buffer. Push and Pop may be called from
// different goroutines (network reader, playout); the critical sections are
// short and never block on I/O.
type Buffer struct {
	mu sync.Mutex

	cfg   config
	rate  int64 // RTP clock rate
	frame int64 // samples per frame (RTP units)

	slots []slot

	// Stream state.
	haveStream bool
	ssrc       uint32
	highTS     int64 // highest extended timestamp received
	highSeq    int64 // highest extended sequence number received
	started    bool
	playTS     int64 // timestamp of the next frame to play
	emptyRun   int   // consecutive pops with nothing buffered

	// RFC 3550 A.8 jitter, in RTP timestamp units.
	epoch       time.Time
	haveTransit bool
	transit     int64
	jitter      float64
	jitterN     int

	// Adaptation.
	levelAvg    float64 // smoothed buffered audio ahead of playout, RTP units
	winMin      int64   // lowest level in the current window
	winCount    int
	pendingDrop int
	sinceInsert int
	lateBoost   int64
	sinceLate   int

	stats Stats
}

// New returns a buffer for a stream at clockRate Hz (48000 for Opus, 8000
// for G.711) carrying frames of the configured duration (default 20 ms).
func New(clockRate uint32, opts ...Option) *Buffer {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if clockRate == 0 {
		clockRate = 48000
	}
	b := &Buffer{cfg: cfg, rate: int64(clockRate)}
	b.frame = b.samples(cfg.frame)
	if b.frame <= 0 {
		b.frame = int64(clockRate) / 50
	}
	n := int(b.samples(cfg.max)/b.frame)*2 + 8 // room for twice the largest delay
	b.slots = make([]slot, n)
	for i := range b.slots {
		b.slots[i].payload = make([]byte, 0, cfg.maxPayload)
	}
	b.winMin = math.MaxInt64
	b.sinceInsert = 1 << 30
	return b
}

func (b *Buffer) samples(d time.Duration) int64 { return int64(d) * b.rate / int64(time.Second) }
func (b *Buffer) dur(s float64) time.Duration {
	return time.Duration(s * float64(time.Second) / float64(b.rate))
}

// Push adds a packet that arrived now (by the configured clock).
func (b *Buffer) Push(p *rtp.Packet) { b.PushAt(p, b.cfg.now()) }

// PushAt adds a packet that arrived at the given time. The payload is copied.
func (b *Buffer) PushAt(p *rtp.Packet, arrival time.Time) {
	if p == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats.Received++

	if b.haveStream && p.SSRC != b.ssrc {
		// RFC 3550 §8.2: a new SSRC is a new source (transfer, re-INVITE,
		// media server switch): start over.
		b.resync("SSRC changed", p)
	}
	if !b.haveStream {
		b.haveStream = true
		b.ssrc = p.SSRC
		b.highTS = int64(p.Timestamp)
		b.highSeq = int64(p.SequenceNumber)
	}
	ts := b.highTS + int64(int32(p.Timestamp-uint32(b.highTS)))
	seq := b.highSeq + int64(int16(p.SequenceNumber-uint16(b.highSeq)))

	// A packet newer in sequence but far off in time is a timestamp jump
	// (a sender that restarted its clock, or a mixer switch without a new
	// SSRC): resynchronise on it rather than conceal for seconds.
	if b.started || b.buffered() {
		ref := b.highTS
		if b.started {
			ref = b.playTS
		}
		if seq <= b.highSeq {
			ref = ts // an old packet: never a jump
		}
		if d := ts - ref; d > b.samples(b.cfg.jump) || d < -b.samples(b.cfg.jump) {
			b.resync("timestamp jump", p)
			b.haveStream, b.ssrc = true, p.SSRC
			b.highTS, b.highSeq = int64(p.Timestamp), int64(p.SequenceNumber)
			ts, seq = b.highTS, b.highSeq
		}
	}

	b.updateJitter(ts, arrival)

	if b.started && ts+b.frame <= b.playTS {
		// Its playout time has passed (it was concealed). Count it and ask
		// for more delay: late packets are what the delay is for.
		b.stats.Late++
		b.lateBoost = min(b.lateBoost+b.frame, b.samples(b.cfg.max))
		b.sinceLate = 0
		return
	}
	if seq > b.highSeq {
		b.highSeq = seq
	}
	if ts > b.highTS {
		b.highTS = ts
	}
	free := -1
	for i := range b.slots {
		s := &b.slots[i]
		if !s.used {
			if free < 0 {
				free = i
			}
			continue
		}
		if s.ts == ts {
			b.stats.Duplicates++
			return
		}
	}
	if free < 0 {
		b.stats.Dropped++ // overflow: far more than the maximum delay buffered
		return
	}
	s := &b.slots[free]
	s.used, s.ts, s.seq, s.pt = true, ts, p.SequenceNumber, p.PayloadType
	s.payload = append(s.payload[:0], p.Payload...)
}

// updateJitter is RFC 3550 A.8: J += (|D(i-1,i)| - J)/16, with D the
// difference of relative transit times, all in RTP timestamp units.
func (b *Buffer) updateJitter(ts int64, arrival time.Time) {
	if b.epoch.IsZero() {
		b.epoch = arrival
	}
	arr := b.samples(arrival.Sub(b.epoch))
	transit := arr - ts
	if b.haveTransit {
		d := transit - b.transit
		if d < 0 {
			d = -d
		}
		b.jitter += (float64(d) - b.jitter) / 16
		b.jitterN++
	}
	b.transit, b.haveTransit = transit, true
}

// resync forgets the buffered packets and the timing of the old stream.
// Called with mu held.
func (b *Buffer) resync(why string, p *rtp.Packet) {
	b.cfg.log.Debug("jitter buffer resync", "reason", why, "ssrc", p.SSRC, "seq", p.SequenceNumber, "ts", p.Timestamp)
	b.stats.Resyncs++
	for i := range b.slots {
		if b.slots[i].used {
			b.stats.Dropped++
			b.slots[i].used = false
		}
	}
	b.haveStream = false
	b.started = false
	b.haveTransit = false
	b.emptyRun = 0
	b.pendingDrop = 0
}

// target is the playout delay to aim for, in RTP units: one frame plus four
// times the RFC 3550 jitter estimate (covers ~99 % of Gaussian-like
// jitter), plus a boost after late packets, rounded up to whole frames and
// kept within [min, max]. Until 50 packets have measured the jitter it is
// the configured start delay.
func (b *Buffer) target() int64 {
	if b.jitterN < 50 {
		return b.samples(b.cfg.start)
	}
	t := b.frame + int64(4*b.jitter) + b.lateBoost
	t = (t + b.frame - 1) / b.frame * b.frame
	return max(b.samples(b.cfg.min), min(t, b.samples(b.cfg.max)))
}

// Pop produces the next frame of playout; call it once per frame period of
// the playback device. It never blocks on the network.
func (b *Buffer) Pop(f *Frame) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f.Kind = KindSilence
	f.Payload = f.Payload[:0]
	f.FEC = f.FEC[:0]

	target := b.target()
	if !b.started {
		oldest, newest, ok := b.span()
		if !ok || newest+b.frame-oldest < target {
			return // buffering
		}
		b.started = true
		b.playTS = oldest
		b.emptyRun = 0
		b.levelAvg = float64(newest + b.frame - oldest)
		b.winMin, b.winCount = math.MaxInt64, 0
	}

	b.adapt(target)

	if b.pendingDrop > 0 && b.find(b.playTS) >= 0 && b.find(b.playTS+b.frame) >= 0 {
		// Shrink the delay by skipping one frame; Opus and G.711 decoders
		// treat it like a single loss, which is far less audible than
		// carrying the extra latency for the rest of the call.
		b.slots[b.find(b.playTS)].used = false
		b.playTS += b.frame
		b.pendingDrop--
		b.stats.Dropped++
		b.levelAvg -= float64(b.frame)
	}

	level := b.highTS + b.frame - b.playTS
	if level < target && b.levelAvg < float64(target)-float64(b.frame)/2 && b.sinceInsert >= 10 && level > 0 {
		// Grow the delay: conceal one frame without advancing playout.
		b.sinceInsert = 0
		b.stats.Inserted++
		b.levelAvg += float64(b.frame)
		f.Kind = KindLost
		f.SSRC = b.ssrc
		f.Timestamp = uint32(b.playTS)
		return
	}
	b.sinceInsert++

	// Drop stale packets (timestamps behind playout, e.g. odd frame sizes).
	for i := range b.slots {
		if s := &b.slots[i]; s.used && s.ts+b.frame <= b.playTS {
			s.used = false
			b.stats.Late++
		}
	}
	i := b.findFrom(b.playTS)
	if i >= 0 {
		s := &b.slots[i]
		b.playTS = s.ts // realign to packets that are not frame-aligned
		f.Kind = KindPacket
		f.Payload = append(f.Payload, s.payload...)
		f.SequenceNumber, f.Timestamp, f.PayloadType, f.SSRC = s.seq, uint32(s.ts), s.pt, b.ssrc
		s.used = false
		b.stats.Played++
		b.emptyRun = 0
		b.playTS += b.frame
		return
	}
	if _, _, ok := b.span(); !ok {
		b.emptyRun++
		if int64(b.emptyRun)*b.frame > b.samples(b.cfg.idle) {
			// The far end stopped (DTX, hold, network down): stop
			// concealing and re-buffer when packets return.
			b.started = false
			return
		}
	}
	f.Kind = KindLost
	f.SSRC = b.ssrc
	f.Timestamp = uint32(b.playTS)
	if j := b.find(b.playTS + b.frame); j >= 0 {
		f.FEC = append(f.FEC, b.slots[j].payload...)
	}
	b.stats.Concealed++
	b.playTS += b.frame
}

// adapt tracks the buffer level and schedules drops when the delay stays
// above target (jitter fell, or the sender's clock runs fast). Insertions
// are decided in Pop.
func (b *Buffer) adapt(target int64) {
	level := max(b.highTS+b.frame-b.playTS, 0)
	b.levelAvg += (float64(level) - b.levelAvg) / 16
	b.winMin = min(b.winMin, level)
	b.winCount++
	b.sinceLate++
	if b.sinceLate >= 250 && b.lateBoost > 0 { // 5 s without late packets
		b.lateBoost = max(0, b.lateBoost-b.frame)
		b.sinceLate = 0
	}
	if b.winCount < b.cfg.window {
		return
	}
	// Over the last window, even the lowest level exceeded the target by a
	// frame or more: remove half the excess (at least one frame).
	if excess := b.winMin - target; excess >= b.frame && b.pendingDrop == 0 {
		b.pendingDrop = int(max(1, excess/b.frame/2))
	}
	b.winMin, b.winCount = math.MaxInt64, 0
}

func (b *Buffer) find(ts int64) int {
	for i := range b.slots {
		if b.slots[i].used && b.slots[i].ts == ts {
			return i
		}
	}
	return -1
}

// findFrom returns the packet that covers playout position ts: exactly ts,
// or one starting within the next frame.
func (b *Buffer) findFrom(ts int64) int {
	best := -1
	for i := range b.slots {
		s := &b.slots[i]
		if s.used && s.ts >= ts && s.ts < ts+b.frame && (best < 0 || s.ts < b.slots[best].ts) {
			best = i
		}
	}
	return best
}

func (b *Buffer) buffered() bool {
	for i := range b.slots {
		if b.slots[i].used {
			return true
		}
	}
	return false
}

func (b *Buffer) span() (oldest, newest int64, ok bool) {
	for i := range b.slots {
		s := &b.slots[i]
		if !s.used {
			continue
		}
		if !ok || s.ts < oldest {
			oldest = s.ts
		}
		if !ok || s.ts > newest {
			newest = s.ts
		}
		ok = true
	}
	return oldest, newest, ok
}

// Stats returns a snapshot of the counters.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.Target = b.dur(float64(b.target()))
	if b.started {
		s.Delay = b.dur(b.levelAvg)
	}
	s.Jitter = b.dur(b.jitter)
	return s
}

// Reset drops everything buffered and the stream state (keeps counters).
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.slots {
		b.slots[i].used = false
	}
	b.haveStream, b.started, b.haveTransit = false, false, false
	b.epoch = time.Time{}
	b.emptyRun, b.pendingDrop = 0, 0
}
