package selftest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/dsp"
)

// Levels for the microphone verdict, in dBFS of the loudest 20 ms.
const (
	silentDBFS = -70 // digital silence or a muted input
	quietDBFS  = -50 // a voice at normal distance peaks well above this
	toneHz     = 440
	toneLevel  = 0.25 // of full scale: audible, not startling
)

// checkAudio records from the microphone, then plays a tone on the
// speaker: one device at a time, so the tone does not count as voice.
func (c *Checker) checkAudio(ctx context.Context, emit func(Result)) {
	switch {
	case c.cfg.Audio == nil:
		why := c.cfg.AudioOff
		if why.Key == "" {
			why = msg("Sound is switched off in Parley's settings (-audio off).")
		}
		emit(result(CheckMicrophone, StatusSkipped, why, Message{}))
		emit(result(CheckSpeaker, StatusSkipped, why, Message{}))
		return
	case c.cfg.InCall != nil && c.cfg.InCall():
		emit(result(CheckMicrophone, StatusSkipped, msg("Not checked during a call: the call is using the microphone."), msg("Run the check again after the call.")))
		emit(result(CheckSpeaker, StatusSkipped, msg("Not checked during a call: the call is using the speaker."), msg("Run the check again after the call.")))
		return
	}
	emit(c.checkMicrophone(ctx))
	if ctx.Err() != nil {
		emit(result(CheckSpeaker, StatusSkipped, msg("The check was stopped before it finished."), Message{}))
		return
	}
	emit(c.checkSpeaker(ctx))
}

// run opens one device and feeds cb until d has passed (counted in
// periods, so a slow machine does not cut the capture short) or ctx ends.
func (c *Checker) run(ctx context.Context, cfg audio.DeviceConfig, d int, cb func(out, in []int16)) (audio.DeviceInfo, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	dev, err := c.cfg.Audio.Open(cfg)
	if err != nil {
		return audio.DeviceInfo{}, err
	}
	full := make(chan struct{})
	var once sync.Once
	seen := 0
	err = dev.Start(func(out, in []int16) {
		if seen >= d {
			once.Do(func() { close(full) })
			clear(out)
			return
		}
		seen += max(len(in), len(out))
		cb(out, in)
	})
	if err != nil {
		_ = dev.Stop()
		return audio.DeviceInfo{}, err
	}
	select {
	case <-full:
	case <-ctx.Done():
	}
	stopErr := dev.Stop()
	if ctx.Err() != nil && seen < d {
		return dev.Info(), fmt.Errorf("the device delivered no sound within %s: %w", c.cfg.Timeout, ctx.Err())
	}
	return dev.Info(), stopErr
}

func (c *Checker) checkMicrophone(ctx context.Context) Result {
	samples := int(c.cfg.MicDuration.Seconds() * audio.SampleRate)
	peak := math.Inf(-1)
	info, err := c.run(ctx, audio.DeviceConfig{Input: c.cfg.Input, Mode: audio.CaptureOnly}, samples, func(_, in []int16) {
		// The audio thread must not allocate: RMS over the period is
		// computed in place.
		if l := dsp.RMSdBFS(in); l > peak {
			peak = l
		}
	})
	if err != nil {
		return deviceFailure(CheckMicrophone, err)
	}
	name, named := deviceName(info, c.cfg.Input)
	level := strconv.FormatFloat(peak, 'f', 0, 64)
	// Each sentence exists with the device's name and for the default
	// device, so that no translation has to fit a name into it.
	switch {
	case peak < silentDBFS:
		summary := msg("The default device records only silence.")
		if named {
			summary = msg("{{.Device}} records only silence.", "Device", name)
		}
		return result(CheckMicrophone, StatusFailed, summary,
			msg("Check that the microphone is not muted (a switch on the headset, or the system's sound settings) and that the right input is chosen."))
	case peak < quietDBFS:
		summary := msg("The default device hears very little (loudest {{.Level}} dBFS).", "Level", level)
		if named {
			summary = msg("{{.Device}} hears very little (loudest {{.Level}} dBFS).", "Device", name, "Level", level)
		}
		return result(CheckMicrophone, StatusWarning, summary,
			msg("Speak while the check runs; if the level stays low, raise the input volume in the system's sound settings."))
	}
	summary := msg("The default device works (loudest {{.Level}} dBFS).", "Level", level)
	if named {
		summary = msg("{{.Device}} works (loudest {{.Level}} dBFS).", "Device", name, "Level", level)
	}
	return result(CheckMicrophone, StatusOK, summary, Message{})
}

func (c *Checker) checkSpeaker(ctx context.Context) Result {
	gen, err := dsp.NewToneGen(audio.SampleRate, toneLevel, toneHz)
	if err != nil {
		return result(CheckSpeaker, StatusFailed, msg("The test tone could not be made ({{.Error}}).", "Error", err.Error()), Message{})
	}
	samples := int(c.cfg.ToneDuration.Seconds() * audio.SampleRate)
	info, err := c.run(ctx, audio.DeviceConfig{Output: c.cfg.Output, Mode: audio.PlaybackOnly}, samples, func(out, _ []int16) {
		gen.Fill(out)
	})
	if err != nil {
		return deviceFailure(CheckSpeaker, err)
	}
	// Parley cannot hear its own speaker: only the person can say.
	hz := strconv.Itoa(toneHz)
	summary := msg("A {{.Frequency}} Hz tone played on the default device.", "Frequency", hz)
	if name, named := deviceName(info, c.cfg.Output); named {
		summary = msg("A {{.Frequency}} Hz tone played on {{.Device}}.", "Frequency", hz, "Device", name)
	}
	return result(CheckSpeaker, StatusOK, summary,
		msg("If you heard nothing, check the volume and that the right output is chosen."))
}

// deviceName is the device's name, or the one chosen in the settings;
// false when Parley used the system's default device.
func deviceName(info audio.DeviceInfo, chosen string) (string, bool) {
	switch {
	case info.Name != "":
		return info.Name, true
	case chosen != "":
		return chosen, true
	}
	return "", false
}

// deviceFailure words a microphone or speaker (id) that could not be
// opened: separate sentences for each, since they translate differently.
func deviceFailure(id string, err error) Result {
	mic := id == CheckMicrophone
	if errors.Is(err, audio.ErrNoDevice) || errors.Is(err, audio.ErrNoBackend) {
		if mic {
			return result(id, StatusFailed, msg("No microphone was found on this computer."),
				msg("Plug in a headset or a microphone, then check again."))
		}
		return result(id, StatusFailed, msg("No speaker was found on this computer."),
			msg("Plug in a headset or a speaker, then check again."))
	}
	summary := msg("The speaker could not be used ({{.Error}}).", "Error", err.Error())
	if mic {
		summary = msg("The microphone could not be used ({{.Error}}).", "Error", err.Error())
	}
	return result(id, StatusFailed, summary,
		msg("Another program may hold it, or it was unplugged: close other call programs and check again."))
}
