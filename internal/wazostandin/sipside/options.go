package wazostandin

import (
	"time"
)

// sipConfig configures the SIP over WebSocket side (registrar + B2BUA).
type sipConfig struct {
	qualify    time.Duration       // OPTIONS to each registered flow (docs/wazo-protocol.md, Lines and registration: 60 s)
	extensions map[string]PeerSpec // dialable scripted peers
	loopback   bool                // loopback ICE candidates on the media sessions
	realm      string              // digest realm ("" = the SIP domain)
	userAgent  string              // Server / User-Agent header
	minExpires int                 // registrar clamp (docs/wazo-protocol.md, Lines and registration global template)
	maxExpires int
}

func defaultSIPConfig() sipConfig {
	return sipConfig{
		qualify:    60 * time.Second, // Asterisk qualify_frequency=60 (docs/wazo-protocol.md, Lines and registration)
		extensions: DefaultExtensions(),
		loopback:   true,
		userAgent:  "Parley wazostandin",
		minExpires: 60,   // minimum_expiration (docs/wazo-protocol.md, Lines and registration)
		maxExpires: 3600, // maximum_expiration (docs/wazo-protocol.md, Lines and registration)
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

// WithExtensions replaces the dial plan of scripted peers (default
// DefaultExtensions). Dialling anything else gets 404 (docs/wazo-protocol.md, Stand-in differences: dialing fails
// with 404 for non-routable extensions).
func WithExtensions(ext map[string]PeerSpec) Option {
	return func(c *config) {
		m := make(map[string]PeerSpec, len(ext))
		for k, v := range ext {
			m[k] = v
		}
		c.sip.extensions = m
	}
}

// WithExtension adds or replaces one scripted peer in the dial plan.
func WithExtension(exten string, p PeerSpec) Option {
	return func(c *config) {
		m := make(map[string]PeerSpec, len(c.sip.extensions)+1)
		for k, v := range c.sip.extensions {
			m[k] = v
		}
		m[exten] = p
		c.sip.extensions = m
	}
}

// WithQualifyInterval sets how often the registrar sends OPTIONS on each
// registered flow (Asterisk qualify_frequency, docs/wazo-protocol.md, Lines and registration; default 60 s).
// It also keeps nginx's 188 s read timeout from firing (docs/wazo-protocol.md, Authentication).
func WithQualifyInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.sip.qualify = d
		}
	}
}

// WithMediaLoopback sets whether the media sessions towards the user offer
// loopback ICE candidates (default true: the stand-in usually runs on the
// same machine as the softphone).
func WithMediaLoopback(on bool) Option { return func(c *config) { c.sip.loopback = on } }

// WithDigestRealm sets the digest realm of the 401 challenges (default: the
// SIP domain the client used; clients must not hard-code it, docs/wazo-protocol.md, Lines and registration).
func WithDigestRealm(r string) Option { return func(c *config) { c.sip.realm = r } }
