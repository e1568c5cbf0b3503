// Package phoneaudio connects the phone engine to the audio engine: it turns
// an *audio.Engine into a phone.AudioBackend, and plays the local call
// progress tones (ringtone, ringback, busy) from the phone's events. It is
// the only package that knows both, so audio stays free of SIP concerns and
// phone free of sound devices.
package phoneaudio

import (
	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/phone"
)

// Backend is a phone.AudioBackend carried by an audio.Engine.
type Backend struct {
	engine *audio.Engine
}

// New returns the audio backend for phone.WithAudio.
func New(engine *audio.Engine) phone.AudioBackend { return &Backend{engine: engine} }

// Open implements phone.AudioBackend.
func (b *Backend) Open(callID string, t phone.MediaTransport) (phone.CallAudio, error) {
	p, err := b.engine.Open(callID, t)
	if err != nil {
		return nil, err
	}
	return &callAudio{p: p}, nil
}

// callAudio adapts an audio.Pipeline to phone.CallAudio.
type callAudio struct{ p *audio.Pipeline }

func (c *callAudio) SetActive(active bool) { c.p.SetActive(active) }
func (c *callAudio) SetMuted(muted bool)   { c.p.SetMuted(muted) }
func (c *callAudio) SetHeld(held bool)     { c.p.SetHeld(held) }
func (c *callAudio) Close() error          { return c.p.Close() }

func (c *callAudio) Stats() phone.AudioStats {
	s := c.p.Stats()
	return phone.AudioStats{PlayoutDelay: s.PlayoutDelay, ConcealedFrames: s.ConcealedFrames}
}
