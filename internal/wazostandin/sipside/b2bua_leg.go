package sipside

import (
	"context"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/internal/wazostandin/media"
)

// maxLegBuffer bounds the audio queued from the user (120 ms): the mixer
// pulls 20 ms per tick, so anything beyond is late and dropped.
const maxLegBuffer = 6 * codec.FrameSamples

// userLeg is the stack's side of one SIP dialog with the user's softphone:
// the dialog (we are UAC for Ring, UAS when the user dialled), the WebRTC
// media session towards the user and the scripted peer at the other end.
type userLeg struct {
	side      *Side
	sipCallID string
	channelID string // the user's channel in the call model
	peer      *Peer
	media     *media.Session

	mu       sync.Mutex
	client   *sipgo.DialogClientSession // we sent the INVITE (Ring)
	server   *sipgo.DialogServerSession // the user sent the INVITE
	answered bool
	ended    bool
	cancel   context.CancelFunc // ends a pending INVITE (CANCEL / 487)
	enc      codec.Encoder
	encBuf   []byte
	in       []int16       // decoded audio from the user, consumed by pull
	done     chan struct{} // closed by Side.releaseLeg
}

func newUserLeg(side *Side, sipCallID string, peer *Peer, media *media.Session) *userLeg {
	return &userLeg{side: side, sipCallID: sipCallID, peer: peer, media: media,
		encBuf: make([]byte, codec.MaxPayload), done: make(chan struct{})}
}

// startAudio sets up the codec once offer/answer completed and starts
// feeding decoded RTP into the leg's buffer.
func (l *userLeg) startAudio() error {
	p := l.media.Codec()
	enc, dec, err := codec.New(p)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.enc = enc
	l.mu.Unlock()
	l.media.SetDTMFHandler(func(d rune) {
		if l.peer != nil {
			l.peer.heardDigit(d)
		}
	})
	pcm := make([]int16, codec.MaxFrameSamples)
	// The RTP handler runs on the session's single reader goroutine, so the
	// decoder needs no lock.
	l.media.SetRTPHandler(func(pkt *rtp.Packet) {
		n, err := dec.Decode(pkt.Payload, pcm)
		if err != nil || n <= 0 {
			return
		}
		l.mu.Lock()
		l.in = append(l.in, pcm[:n]...)
		if over := len(l.in) - maxLegBuffer; over > 0 {
			l.in = append(l.in[:0], l.in[over:]...)
		}
		l.mu.Unlock()
	})
	return nil
}

// pull implements mixPort.
func (l *userLeg) pull(frame []int16) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended || len(l.in) < len(frame) {
		return false
	}
	copy(frame, l.in)
	l.in = append(l.in[:0], l.in[len(frame):]...)
	return true
}

// push implements mixPort: encode and send to the user.
func (l *userLeg) push(frame []int16) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended || l.enc == nil {
		return
	}
	n, err := l.enc.Encode(frame, l.encBuf)
	if err != nil || n == 0 {
		return
	}
	_ = l.media.SendAudio(l.encBuf[:n], 20*time.Millisecond)
}

// markEnded flips the leg to ended once; false when it already was.
func (l *userLeg) markEnded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return false
	}
	l.ended = true
	return true
}

func (l *userLeg) isAnswered() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answered
}

// hangup ends the SIP side of the leg because the model hung the channel
// up (ChannelHooks.HangupChannel): BYE when answered, CANCEL for our
// pending INVITE, 480 to the user's pending INVITE (docs/wazo-protocol.md, Lines and registration).
func (l *userLeg) hangup(ctx context.Context) {
	l.mu.Lock()
	answered, cancel, cli, srv := l.answered, l.cancel, l.client, l.server
	l.mu.Unlock()
	switch {
	case answered && cli != nil:
		if err := cli.Bye(ctx); err != nil {
			l.side.log.Debug("wazostandin: BYE failed", "call_id", l.sipCallID, "err", err)
		}
	case answered && srv != nil:
		if err := srv.Bye(ctx); err != nil {
			l.side.log.Debug("wazostandin: BYE failed", "call_id", l.sipCallID, "err", err)
		}
	case cancel != nil:
		cancel()
	}
}

// sdpHeaders is the Content-Type of SDP bodies.
func sdpHeader() sip.Header { return sip.NewHeader("Content-Type", "application/sdp") }
