package conference

import (
	"sync"

	"github.com/pion/rtp"

	"github.com/parley-voip/parley/internal/codec"
	"github.com/parley-voip/parley/phone"
)

// recordingAudio is a phone.AudioBackend that sends nothing and keeps what
// each call receives (decoded, 48 kHz), so tests can check what the agent
// would hear on the host leg.
type recordingAudio struct {
	mu    sync.Mutex
	heard map[string][]int16
}

func newRecordingAudio() *recordingAudio { return &recordingAudio{heard: map[string][]int16{}} }

func (a *recordingAudio) Open(callID string, t phone.MediaTransport) (phone.CallAudio, error) {
	_, dec, err := codec.New(t.Codec())
	if err != nil {
		return nil, err
	}
	buf := make([]int16, codec.MaxFrameSamples)
	t.SetRTPHandler(func(p *rtp.Packet) {
		n, err := dec.Decode(p.Payload, buf)
		if err != nil {
			return
		}
		a.mu.Lock()
		a.heard[callID] = append(a.heard[callID], buf[:n]...)
		a.mu.Unlock()
	})
	return nopCallAudio{}, nil
}

// Heard returns a copy of what call id received so far.
func (a *recordingAudio) Heard(id string) []int16 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int16(nil), a.heard[id]...)
}

type nopCallAudio struct{}

func (nopCallAudio) SetActive(bool)          {}
func (nopCallAudio) SetMuted(bool)           {}
func (nopCallAudio) SetHeld(bool)            {}
func (nopCallAudio) Stats() phone.AudioStats { return phone.AudioStats{} }
func (nopCallAudio) Close() error            { return nil }
