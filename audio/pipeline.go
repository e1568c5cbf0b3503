package audio

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/jitter"
)

// frameDuration is the packet time we send: one 20 ms frame per RTP packet,
// the default ptime of RFC 7587 §4.2 (Opus) and RFC 3551 §4.5 (G.711).
const frameDuration = 20 * time.Millisecond

// Transport is one call's encoded audio path. It has the method set of
// phone.MediaTransport (internal/rtc.Session implements both) so that this
// package does not depend on the phone engine.
type Transport interface {
	// SendAudio sends one encoded frame as one RTP packet.
	SendAudio(payload []byte, duration time.Duration) error
	// SetRTPHandler sets the receiver of incoming audio packets; the
	// handler owns each packet.
	SetRTPHandler(fn func(pkt *rtp.Packet))
	// Codec is the negotiated codec.
	Codec() codec.Params
}

// PipelineStats are one call's audio figures.
type PipelineStats struct {
	// PlayoutDelay is the audio queued between the network and the
	// speaker: the jitter buffer's measured delay plus the decoded audio
	// waiting for the device.
	PlayoutDelay time.Duration
	// TargetDelay is what the adaptive jitter buffer aims for.
	TargetDelay time.Duration
	// ConcealedFrames counts frames rebuilt by PLC or FEC for lost packets.
	ConcealedFrames uint64
	// FramesSent counts RTP packets handed to the transport.
	FramesSent uint64
	// Underruns counts device periods the call had no decoded audio for.
	Underruns uint64
	// Jitter is the full jitter buffer snapshot.
	Jitter jitter.Stats
}

// Pipeline is one call's audio: microphone → encoder → transport, and
// transport → jitter buffer → decoder → mixer. Its goroutine does the codec
// work when the device clock wakes it, so the audio thread only copies
// samples. Create one with Engine.Open.
type Pipeline struct {
	thread ThreadMode // how run is scheduled (threadmode.go)
	id     string
	engine *Engine
	t      Transport
	log    *slog.Logger
	params codec.Params
	enc    codec.Encoder
	dec    codec.Decoder
	jb     *jitter.Buffer
	lead   int // decoded samples kept ready for the device

	capRing  *sampleRing // audio thread → goroutine (microphone)
	playRing *sampleRing // goroutine → audio thread (speaker)
	wake     chan struct{}

	active, muted, held atomic.Bool
	holds               atomic.Uint64 // hold count: the goroutine restarts playout after each
	closing             atomic.Bool
	inConf              atomic.Bool // mixed as a local conference: live whatever active/held say
	started             atomic.Bool // first packet decoded (underruns count from then)

	sent, sendErrors, codecErrors atomic.Uint64
	underruns                     atomic.Uint64
	concealed                     atomic.Uint64
	// behind is playout time the device played as silence because nothing
	// was decoded yet: the pipeline skips as much of the stream.
	behind atomic.Int64

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newPipeline(e *Engine, id string, t Transport) (*Pipeline, error) {
	params := t.Codec()
	enc, dec, err := codec.New(params, e.opts.codecOpts...)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the %s codec for call %s: %w", params.Name, id, err)
	}
	if params.ClockRate == 0 {
		return nil, fmt.Errorf("call %s: the negotiated codec has no clock rate", id)
	}
	jopts := append([]jitter.Option{jitter.WithLogger(e.log)}, e.opts.jitterOpts...)
	p := &Pipeline{
		thread:   e.opts.pipelineThread,
		id:       id,
		engine:   e,
		t:        t,
		log:      e.log.With("call", id),
		params:   params,
		enc:      enc,
		dec:      dec,
		jb:       jitter.New(params.ClockRate, jopts...),
		lead:     e.cfg.PeriodSamples() * e.opts.leadPeriods,
		capRing:  newSampleRing(8 * FrameSamples),
		playRing: newSampleRing(codec.MaxFrameSamples + 4*FrameSamples),
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	p.active.Store(true) // the engine tells us otherwise right after Open
	return p, nil
}

// ID is the call this pipeline carries.
func (p *Pipeline) ID() string { return p.id }

// SetActive makes this the call that is heard and fed the microphone. The
// others keep sending silence (so the far end's jitter buffer and NAT
// bindings stay warm) and are not mixed into the speaker.
func (p *Pipeline) SetActive(active bool) { p.active.Store(active) }

// SetMuted sends silence instead of the microphone. Packets keep flowing so
// the far end knows we are still there (and RTCP keeps its figures).
func (p *Pipeline) SetMuted(muted bool) { p.muted.Store(muted) }

// SetHeld stops audio both ways: nothing is sent, incoming packets are
// dropped, and the jitter buffer starts afresh on resume (the far end's
// timestamps jump across a hold, RFC 3550 §5.1).
func (p *Pipeline) SetHeld(held bool) {
	if held && !p.held.Swap(true) {
		p.holds.Add(1)
	} else if !held {
		p.held.Store(false)
	}
}

// Stats returns the call's audio figures.
func (p *Pipeline) Stats() PipelineStats {
	js := p.jb.Stats()
	queued := time.Duration(p.playRing.Len()) * time.Second / SampleRate
	return PipelineStats{
		PlayoutDelay:    js.Delay + queued,
		TargetDelay:     js.Target,
		ConcealedFrames: p.concealed.Load(),
		FramesSent:      p.sent.Load(),
		Underruns:       p.underruns.Load(),
		Jitter:          js,
	}
}

// Close stops the call's audio and, if it was the last user, the device.
func (p *Pipeline) Close() error {
	p.closeOnce.Do(func() {
		p.closing.Store(true)
		p.t.SetRTPHandler(func(*rtp.Packet) {})
		close(p.stop)
		<-p.done
		p.engine.remove(p)
	})
	return nil
}

// onRTP runs on the transport's reader goroutine.
func (p *Pipeline) onRTP(pkt *rtp.Packet) {
	if (p.held.Load() && !p.inConf.Load()) || p.closing.Load() || pkt.PayloadType != p.params.PayloadType {
		return
	}
	p.jb.Push(pkt)
}

// run is the pipeline goroutine: woken once per device period, it encodes
// every complete captured frame and decodes enough audio for the next
// period. The device clock thus paces both directions (sending at the rate
// the microphone produces, playout at the rate the speaker consumes), and
// the jitter buffer absorbs the difference with the sender's clock.
func (p *Pipeline) run() {
	defer close(p.done)
	p.thread.enter()
	frame := make([]int16, FrameSamples)
	pcm := make([]int16, codec.MaxFrameSamples)
	payload := make([]byte, codec.MaxPayload)
	var jf jitter.Frame
	var holds uint64
	for {
		select {
		case <-p.stop:
			return
		case <-p.wake:
		}
		if p.held.Load() && !p.inConf.Load() {
			continue
		}
		// The audio thread stops waking us while held, so compare hold
		// counts rather than hope to see the held state itself.
		if h := p.holds.Load(); h != holds {
			holds = h
			p.jb.Reset()
			p.behind.Store(0)
			p.capRing.Discard(p.capRing.Len())
		}
		p.sendCaptured(frame, payload)
		p.catchUp(&jf)
		for p.playRing.Len() < p.lead {
			n := p.decodeNext(&jf, pcm)
			if p.playRing.Write(pcm[:n]) < n {
				break
			}
		}
	}
}

// underran records that the device found only part of a period ready and
// played silence for the missing samples. Audio thread.
func (p *Pipeline) underran(missing int) {
	if !p.started.Load() {
		return // still buffering: nothing was due yet
	}
	p.underruns.Add(1)
	p.behind.Add(int64(missing))
}

// catchUp skips the frames whose playout time the device spent in silence
// after an underrun. A sound card keeps its clock through an underrun, so
// without this every late wake-up of the pipeline would add its length to
// the call's delay for good, until the jitter buffer overflowed.
func (p *Pipeline) catchUp(jf *jitter.Frame) {
	behind := p.behind.Swap(0)
	for ; behind >= FrameSamples; behind -= FrameSamples {
		p.jb.Pop(jf)
	}
	p.behind.Add(behind) // less than a frame: carried to the next period
}

func (p *Pipeline) sendCaptured(frame []int16, payload []byte) {
	for p.capRing.Len() >= FrameSamples {
		p.capRing.Read(frame)
		if !p.inConf.Load() && (p.muted.Load() || !p.active.Load()) {
			// The ring may still hold microphone audio from before. A
			// conference member's ring holds its mix-minus, already muted
			// by the audio thread as the agent asked.
			clear(frame)
		}
		n, err := p.enc.Encode(frame, payload)
		if err != nil {
			p.codecErrors.Add(1)
			continue
		}
		if n == 0 {
			continue // DTX: nothing to send (RFC 7587 §3.1.3)
		}
		if err := p.t.SendAudio(payload[:n], frameDuration); err != nil {
			if p.sendErrors.Add(1) == 1 {
				p.log.Debug("audio: sending failed", "err", err)
			}
			continue
		}
		p.sent.Add(1)
	}
}

// decodeNext produces the next frame of playout into pcm.
func (p *Pipeline) decodeNext(jf *jitter.Frame, pcm []int16) int {
	p.jb.Pop(jf)
	switch jf.Kind {
	case jitter.KindPacket:
		n, err := p.dec.Decode(jf.Payload, pcm)
		if err == nil && n > 0 {
			p.started.Store(true)
			return n
		}
		p.codecErrors.Add(1)
		if errors.Is(err, codec.ErrBadPayload) {
			// A corrupt packet is a lost one as far as the listener goes.
			return p.conceal(nil, pcm)
		}
	case jitter.KindLost:
		return p.conceal(jf.FEC, pcm)
	}
	clear(pcm[:FrameSamples])
	return FrameSamples
}

// conceal rebuilds a missing frame: from the next packet's in-band FEC when
// there is one (Opus LBRR, RFC 6716 §2.1.7), else by the codec's PLC.
func (p *Pipeline) conceal(next []byte, pcm []int16) int {
	p.concealed.Add(1)
	n, err := p.dec.DecodeLost(next, pcm)
	if err != nil || n <= 0 {
		if len(next) > 0 {
			if n, err = p.dec.DecodeLost(nil, pcm); err == nil && n > 0 {
				return n
			}
		}
		clear(pcm[:FrameSamples])
		return FrameSamples
	}
	return n
}
