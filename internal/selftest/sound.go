package selftest

import (
	"context"
	"errors"
	"fmt"
	"math"
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
		if why == "" {
			why = "Sound is switched off in Parley's settings (-audio off)."
		}
		emit(result(CheckMicrophone, StatusSkipped, why, ""))
		emit(result(CheckSpeaker, StatusSkipped, why, ""))
		return
	case c.cfg.InCall != nil && c.cfg.InCall():
		emit(result(CheckMicrophone, StatusSkipped, "Not checked during a call: the call is using the microphone.", "Run the check again after the call."))
		emit(result(CheckSpeaker, StatusSkipped, "Not checked during a call: the call is using the speaker.", "Run the check again after the call."))
		return
	}
	emit(c.checkMicrophone(ctx))
	if ctx.Err() != nil {
		emit(result(CheckSpeaker, StatusSkipped, "The check was stopped before it finished.", ""))
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
		return deviceFailure(CheckMicrophone, "microphone", err)
	}
	name := deviceName(info, c.cfg.Input)
	switch {
	case peak < silentDBFS:
		return result(CheckMicrophone, StatusFailed, fmt.Sprintf("%s records only silence.", name),
			"Check that the microphone is not muted (a switch on the headset, or the system's sound settings) and that the right input is chosen.")
	case peak < quietDBFS:
		return result(CheckMicrophone, StatusWarning, fmt.Sprintf("%s hears very little (loudest %.0f dBFS).", name, peak),
			"Speak while the check runs; if the level stays low, raise the input volume in the system's sound settings.")
	}
	return result(CheckMicrophone, StatusOK, fmt.Sprintf("%s works (loudest %.0f dBFS).", name, peak), "")
}

func (c *Checker) checkSpeaker(ctx context.Context) Result {
	gen, err := dsp.NewToneGen(audio.SampleRate, toneLevel, toneHz)
	if err != nil {
		return result(CheckSpeaker, StatusFailed, err.Error(), "")
	}
	samples := int(c.cfg.ToneDuration.Seconds() * audio.SampleRate)
	info, err := c.run(ctx, audio.DeviceConfig{Output: c.cfg.Output, Mode: audio.PlaybackOnly}, samples, func(out, _ []int16) {
		gen.Fill(out)
	})
	if err != nil {
		return deviceFailure(CheckSpeaker, "speaker", err)
	}
	// Parley cannot hear its own speaker: only the person can say.
	return result(CheckSpeaker, StatusOK, fmt.Sprintf("A %d Hz tone played on %s.", toneHz, deviceName(info, c.cfg.Output)),
		"If you heard nothing, check the volume and that the right output is chosen.")
}

func deviceName(info audio.DeviceInfo, chosen string) string {
	switch {
	case info.Name != "":
		return info.Name
	case chosen != "":
		return chosen
	}
	return "The default device"
}

func deviceFailure(id, what string, err error) Result {
	if errors.Is(err, audio.ErrNoDevice) || errors.Is(err, audio.ErrNoBackend) {
		return result(id, StatusFailed, fmt.Sprintf("No %s was found on this computer.", what),
			fmt.Sprintf("Plug in a headset or a %s, then check again.", what))
	}
	return result(id, StatusFailed, fmt.Sprintf("The %s could not be used (%v).", what, err),
		"Another program may hold it, or it was unplugged: close other call programs and check again.")
}
