package sipside

import (
	"log/slog"
	"net"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// Config configures the SIP over WebSocket side (registrar + B2BUA): its
// tunables (DefaultConfig) and what it is wired to. It reaches the rest of
// the stack only through these fields: the call model it drives, the users
// whose lines register, and a change signal; it knows nothing of the HTTP
// side.
type Config struct {
	Qualify    time.Duration       // OPTIONS to each registered flow (docs/wazo-protocol.md, Lines and registration: 60 s)
	Extensions map[string]PeerSpec // dialable scripted peers
	Loopback   bool                // loopback ICE candidates on the media sessions
	Realm      string              // digest realm ("" = the SIP domain)
	UserAgent  string              // Server / User-Agent header
	MinExpires int                 // registrar clamp (docs/wazo-protocol.md, Lines and registration global template)
	MaxExpires int
	// CallIDHeader: put the user's calld call_id in X-Wazo-Call-ID (the
	// incoming INVITE, the 18x/200 of an outgoing one), as engines 26.08
	// and later do; older engines send no such header and the client
	// learns the call_id from the call events only (wazo-js-sdk
	// src/domain/Phone/WebRTCPhone.ts, _createCallSession).
	CallIDHeader bool

	Log   *slog.Logger     // default: discard
	Now   func() time.Time // default: time.Now
	Calls *callmodel.Model
	Users *directory.Directory
	// ListenAddr is the address of the HTTPS listener the SIP websocket is
	// served on (sipgo puts its port in Via/Contact); nil, or nil returned,
	// means loopback.
	ListenAddr func() net.Addr
	// Subscribe registers fn to run after every call-model event (it runs
	// under the model's lock: fn must only set a flag) and returns the
	// cancel. The bridge mixer re-reads the topology when it fired.
	Subscribe func(fn func()) (cancel func())
	// Hooks, when set, see every ChannelHooks call after the SIP side has
	// handled it (WithChannelHooks of the stack).
	Hooks callmodel.ChannelHooks
}

// DefaultConfig is the tunables of a real stack's Asterisk; the wiring
// fields are left for the caller.
func DefaultConfig() Config {
	return Config{
		Qualify:    60 * time.Second, // Asterisk qualify_frequency=60 (docs/wazo-protocol.md, Lines and registration)
		Extensions: DefaultExtensions(),
		Loopback:   true,
		UserAgent:  "Parley wazostandin",
		MinExpires: 60,   // minimum_expiration (docs/wazo-protocol.md, Lines and registration)
		MaxExpires: 3600, // maximum_expiration (docs/wazo-protocol.md, Lines and registration)
	}
}

// Frequencies of the default tone peers. 1001 "Tone Bot" plays A4;
// 1002 "Chord Bot" plays a C major triad (C5 E5 G5), far enough from 440 Hz
// to be told apart in a conference mix.
const (
	ToneBotHz = 440.0
	ChordC5Hz = 523.25
	ChordE5Hz = 659.25
	ChordG5Hz = 783.99
)

// DefaultExtensions is the dial plan every stack starts with (the demo
// contacts): 9000 echo, 1001 Tone Bot (440 Hz), 1002 Chord Bot, 1003 busy,
// 1004 no answer, 1005 a silent peer that records what it hears.
// A new map is returned on every call.
func DefaultExtensions() map[string]PeerSpec {
	return map[string]PeerSpec{
		"9000": {Kind: PeerEcho, Name: "Echo Test"},
		"1001": {Kind: PeerTone, Name: "Tone Bot", Freqs: []float64{ToneBotHz}},
		"1002": {Kind: PeerTone, Name: "Chord Bot", Freqs: []float64{ChordC5Hz, ChordE5Hz, ChordG5Hz}},
		"1003": {Kind: PeerBusy, Name: "Busy Bot"},
		"1004": {Kind: PeerNoAnswer, Name: "Sleepy Bot"},
		"1005": {Kind: PeerRecorder, Name: "Silent Bot"},
	}
}
