package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/dsp"
)

// audioController lets the window's audio settings drive the engine
// without gui knowing the audio package (which needs cgo and miniaudio).
type audioController struct{ engine *audio.Engine }

var _ gui.AudioController = audioController{}

func (c audioController) Devices() (inputs, outputs []gui.AudioDevice, err error) {
	conv := func(kind audio.Kind) ([]gui.AudioDevice, error) {
		list, err := c.engine.Devices(kind)
		if err != nil {
			return nil, err
		}
		out := make([]gui.AudioDevice, len(list))
		for i, d := range list {
			out[i] = gui.AudioDevice{ID: d.ID, Name: d.Name, Default: d.Default}
		}
		return out, nil
	}
	if inputs, err = conv(audio.Capture); err != nil {
		return nil, nil, err
	}
	outputs, err = conv(audio.Playback)
	return inputs, outputs, err
}

func (c audioController) Ringtones() []string { return audio.RingtoneNames() }

func (c audioController) Apply(s gui.AudioSettings) error {
	return c.engine.Apply(engineSettings(s))
}

// engineSettings converts the window's stored settings.
func engineSettings(s gui.AudioSettings) audio.Settings {
	refs := func(list []gui.AudioDevice) []audio.DeviceRef {
		out := make([]audio.DeviceRef, len(list))
		for i, d := range list {
			out[i] = audio.DeviceRef{ID: d.ID, Name: d.Name}
		}
		return out
	}
	return audio.Settings{Inputs: refs(s.Inputs), Outputs: refs(s.Outputs), Rings: refs(s.Rings),
		Ringtone: s.Ringtone, RingVolume: s.RingVolume}
}

func (c audioController) MicLevels(ctx context.Context) (<-chan gui.AudioLevel, error) {
	in, err := c.engine.MicLevels(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan gui.AudioLevel, 1)
	go func() { // ends with in, which ends with ctx or the engine
		defer close(out)
		for lv := range in {
			select {
			case out <- gui.AudioLevel{PeakDBFS: lv.PeakDBFS, RMSDBFS: lv.RMSDBFS}:
			default:
			}
		}
	}()
	return out, nil
}

func (c audioController) PlayTestTone() error { return c.engine.PlayTestTone() }

func (c audioController) TestRingtone() error { return c.engine.TestRingtone() }

// messagePlayer plays voicemail messages for the window: it decodes the
// WAV file and hands the samples to the engine (audio.Engine.PlayMessage).
type messagePlayer audioController

var _ gui.SoundPlayer = messagePlayer{}

func (p messagePlayer) PlayWAV(wav []byte) (time.Duration, error) {
	rate, pcm, err := dsp.ReadWAV(wav)
	if err != nil {
		return 0, fmt.Errorf("the message is not audio Parley can play: %w", err)
	}
	return p.engine.PlayMessage(pcm, rate)
}

func (p messagePlayer) StopPlaying() { p.engine.StopMessage() }
