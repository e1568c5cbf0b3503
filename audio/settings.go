package audio

import (
	"fmt"
	"math"
	"os"
	"strings"
)

// DeviceRef names a device in a preference list so that it is found again
// after a restart. ID is the backend's identifier (DeviceInfo.ID): on
// PulseAudio and PipeWire that is the sink or source name, such as
// "alsa_output.usb-Jabra_Evolve_20-00.analog-stereo", which stays the same
// across restarts and re-plugs of the same device in the same port family;
// Name is its description ("Jabra Evolve 20 Analog Stereo"), kept for
// display and as a second key for backends whose IDs are not stable
// (ALSA's card numbers follow plug order).
type DeviceRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Matches reports whether d is the device r names: the same ID, or when r
// has no ID or no device carries it, the same name (case-insensitive).
func (r DeviceRef) Matches(d DeviceInfo) bool {
	if r.ID != "" && r.ID == d.ID {
		return true
	}
	return r.Name != "" && strings.EqualFold(r.Name, d.Name)
}

// Settings are the user's audio choices, a plain value the front end
// stores (the window keeps it in its preferences) and hands to
// Engine.Apply. It holds no secrets.
//
// Each device list is an order of preference: the first device in it that
// is present is used, when a call starts and whenever devices appear or
// vanish (also during a call, which moves without being dropped); with
// none of them present, the system default. An empty Rings list rings on
// the call's output device.
type Settings struct {
	Inputs  []DeviceRef `json:"inputs,omitempty"`
	Outputs []DeviceRef `json:"outputs,omitempty"`
	Rings   []DeviceRef `json:"rings,omitempty"`
	// Ringtone is one of the built-in names (RingtoneNames) or the path of
	// a 16-bit PCM WAV file; empty is the default built-in tone.
	Ringtone string `json:"ringtone,omitempty"`
	// RingVolume scales the ringtone, 0 (silent) to 1 (full).
	RingVolume float64 `json:"ring_volume"`
}

// DefaultSettings is what an engine starts with: the system's devices,
// the classic ringtone at full volume.
func DefaultSettings() Settings { return Settings{Ringtone: RingtoneClassic, RingVolume: 1} }

// Prefer returns the device of list that prefs put first, and false when
// none of prefs is in list (use the system default then).
func Prefer(list []DeviceInfo, prefs []DeviceRef) (DeviceInfo, bool) {
	for _, p := range prefs {
		// IDs first over the whole list: a name may be shared by two
		// identical headsets, an ID never.
		for _, d := range list {
			if p.ID != "" && p.ID == d.ID {
				return d, true
			}
		}
		for _, d := range list {
			if p.Matches(d) {
				return d, true
			}
		}
	}
	return DeviceInfo{}, false
}

// normalise clamps the volume and checks that the ringtone exists.
func (s Settings) normalise() (Settings, error) {
	if math.IsNaN(s.RingVolume) {
		s.RingVolume = 1
	}
	s.RingVolume = min(max(s.RingVolume, 0), 1)
	if s.Ringtone == "" {
		s.Ringtone = RingtoneClassic
	}
	if _, ok := builtinRingtone(s.Ringtone); !ok {
		if _, err := os.Stat(s.Ringtone); err != nil {
			return s, fmt.Errorf("%w: ringtone %q is neither a built-in tone nor a readable file: %v", ErrBadConfig, s.Ringtone, err)
		}
	}
	return s, nil
}
