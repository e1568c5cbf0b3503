package sipside

import (
	"sync"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/dsp"
)

// PeerKind is the script a scripted peer follows.
type PeerKind int

// Peer kinds. Busy and NoAnswer never produce media: dialling them answers
// 486 Busy Here, or rings until the caller gives up (CANCEL).
const (
	PeerTone     PeerKind = iota + 1 // plays Freqs continuously
	PeerEcho                         // plays back what it hears (20 ms later)
	PeerRecorder                     // silent; records what it hears (Peer.Heard)
	PeerBusy                         // 486 Busy Here
	PeerNoAnswer                     // rings forever
)

// String names the kind.
func (k PeerKind) String() string {
	switch k {
	case PeerTone:
		return "tone"
	case PeerEcho:
		return "echo"
	case PeerRecorder:
		return "recorder"
	case PeerBusy:
		return "busy"
	case PeerNoAnswer:
		return "no-answer"
	}
	return "unknown"
}

// PeerSpec describes a scripted peer: an in-process party standing in for
// another phone. Peers talk to the bridge in 48 kHz PCM directly; only the
// user's leg is real WebRTC.
type PeerSpec struct {
	Kind PeerKind
	// Name is the peer's caller id name ("Tone Bot").
	Name string
	// Freqs are the tone frequencies of a PeerTone (up to dsp.MaxTones).
	Freqs []float64
	// Amplitude is the peak of each tone component as a fraction of full
	// scale; default 0.5/len(Freqs) so the sum never clips.
	Amplitude float64
}

// maxRecording bounds what a recorder keeps (60 s at 48 kHz), so a peer
// left in a call cannot grow without limit.
const maxRecording = 60 * codec.SampleRate

// Peer is a running scripted peer (one channel of the call model).
// All methods are safe for concurrent use.
type Peer struct {
	spec      PeerSpec
	exten     string
	channelID string

	mu      sync.Mutex
	tone    *dsp.ToneGen
	last    []int16 // echo: the frame heard on the previous tick
	heard   []int16 // recorder: everything heard (bounded)
	digits  []rune  // RFC 4733 digits the user sent, in order
	stopped bool
	done    chan struct{}
}

func newPeer(exten string, spec PeerSpec) *Peer {
	p := &Peer{spec: spec, exten: exten, done: make(chan struct{})}
	if spec.Kind == PeerTone && len(spec.Freqs) > 0 {
		freqs := spec.Freqs
		if len(freqs) > dsp.MaxTones {
			freqs = freqs[:dsp.MaxTones]
		}
		amp := spec.Amplitude
		if amp <= 0 || amp > 1 {
			amp = 0.5 / float64(len(freqs))
		}
		if g, err := dsp.NewToneGen(codec.SampleRate, amp, freqs...); err == nil {
			p.tone = g
		}
	}
	return p
}

// Spec is the peer's script.
func (p *Peer) Spec() PeerSpec { return p.spec }

// Exten is the extension (or calling number) the peer stands for.
func (p *Peer) Exten() string { return p.exten }

// ChannelID is the peer's channel in the call model.
func (p *Peer) ChannelID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.channelID
}

// Done is closed when the peer stopped (its channel hung up).
func (p *Peer) Done() <-chan struct{} { return p.done }

// Heard returns a copy of the 48 kHz audio the peer heard so far (every
// kind records; a PeerRecorder is the one meant for it). Tests analyse it
// with internal/dsp.
func (p *Peer) Heard() []int16 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int16(nil), p.heard...)
}

// Digits returns the RFC 4733 digits the user's phone sent this peer so
// far, in order, as Asterisk would pass them through the bridge.
func (p *Peer) Digits() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.digits)
}

func (p *Peer) heardDigit(d rune) {
	p.mu.Lock()
	p.digits = append(p.digits, d)
	p.mu.Unlock()
}

func (p *Peer) setChannel(id string) {
	p.mu.Lock()
	p.channelID = id
	p.mu.Unlock()
}

func (p *Peer) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		p.stopped = true
		close(p.done)
	}
}

// pull implements mixPort: the 20 ms frame the peer says this tick.
func (p *Peer) pull(frame []int16) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	switch p.spec.Kind {
	case PeerTone:
		if p.tone == nil {
			return false
		}
		p.tone.Fill(frame)
		return true
	case PeerEcho:
		if p.last == nil {
			return false
		}
		copy(frame, p.last)
		return true
	}
	return false
}

// push implements mixPort: the 20 ms frame the peer hears this tick.
func (p *Peer) push(frame []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	if p.spec.Kind == PeerEcho {
		if p.last == nil {
			p.last = make([]int16, len(frame))
		}
		copy(p.last, frame)
	}
	if len(p.heard)+len(frame) <= maxRecording {
		p.heard = append(p.heard, frame...)
	}
}

// silence implements mixPort: nothing heard this tick (not bridged yet, or
// the others are silent). An echo peer forgets its last frame.
func (p *Peer) silence() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = nil
}
