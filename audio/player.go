package audio

import (
	"fmt"
	"time"
)

// MaxMessage bounds a message PlayMessage plays (a voicemail is rarely
// longer than a few minutes; Asterisk's default maxsecs is 300 s).
const MaxMessage = 10 * time.Minute

// PlayMessage plays recorded audio once on the call output device, e.g. a
// voicemail: pcm is mono 16-bit at rate (8 kHz for Wazo voicemail) and is
// resampled to the engine's rate here, off the audio thread. A message
// already playing is replaced. It returns how long the message lasts; the
// device is released after that, or at StopMessage.
func (e *Engine) PlayMessage(pcm []int16, rate int) (time.Duration, error) {
	if rate <= 0 || len(pcm) == 0 {
		return 0, fmt.Errorf("%w: the message has no audio", ErrBadConfig)
	}
	out := resampleLinear(pcm, rate, SampleRate)
	if len(out) > int(MaxMessage.Seconds())*SampleRate {
		out = out[:int(MaxMessage.Seconds())*SampleRate]
	}
	if rate == SampleRate {
		out = append([]int16(nil), out...) // the caller keeps its slice
	}
	length := time.Duration(len(out)) * time.Second / SampleRate
	if err := e.startSound(ToneMessage, nil, &pcmLoop{pcm: out, once: true}, length); err != nil {
		return 0, fmt.Errorf("cannot play the message: %w", err)
	}
	return length, nil
}

// StopMessage stops the message PlayMessage is playing, if any.
func (e *Engine) StopMessage() { e.StopTone(ToneMessage) }
