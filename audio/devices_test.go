package audio

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/audiotest"
	"github.com/parley-voip/parley/internal/dsp"
)

func TestPrefer(t *testing.T) {
	headset := DeviceInfo{ID: "usb-headset", Name: "Jabra Evolve"}
	builtin := DeviceInfo{ID: "pci-analog", Name: "Built-in Audio", Default: true}
	twin := DeviceInfo{ID: "usb-headset-2", Name: "Jabra Evolve"}
	tests := []struct {
		name   string
		list   []DeviceInfo
		prefs  []DeviceRef
		want   string
		wantOK bool
	}{
		{"first present wins", []DeviceInfo{builtin, headset}, []DeviceRef{{ID: "usb-headset"}, {ID: "pci-analog"}}, "usb-headset", true},
		{"headset gone: next in order", []DeviceInfo{builtin}, []DeviceRef{{ID: "usb-headset"}, {ID: "pci-analog"}}, "pci-analog", true},
		{"none present: default", []DeviceInfo{builtin}, []DeviceRef{{ID: "usb-headset"}}, "", false},
		{"by name when the id changed", []DeviceInfo{builtin, headset}, []DeviceRef{{ID: "old-id", Name: "jabra evolve"}}, "usb-headset", true},
		{"id before a name shared by twins", []DeviceInfo{headset, twin}, []DeviceRef{{ID: "usb-headset-2", Name: "Jabra Evolve"}}, "usb-headset-2", true},
		{"no preferences", []DeviceInfo{builtin}, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Prefer(tt.list, tt.prefs)
			if ok != tt.wantOK || got.ID != tt.want {
				t.Fatalf("Prefer = %q, %v; want %q, %v", got.ID, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSettingsNormalise(t *testing.T) {
	tests := []struct {
		in      Settings
		vol     float64
		tone    string
		wantErr bool
	}{
		{Settings{RingVolume: 2}, 1, RingtoneClassic, false},
		{Settings{RingVolume: -1, Ringtone: RingtoneChime}, 0, RingtoneChime, false},
		{Settings{RingVolume: math.NaN()}, 1, RingtoneClassic, false},
		{Settings{Ringtone: "/no/such/file.wav"}, 0, "", true},
	}
	for _, tt := range tests {
		got, err := tt.in.normalise()
		if (err != nil) != tt.wantErr {
			t.Fatalf("%+v: err %v", tt.in, err)
		}
		if !tt.wantErr && (got.RingVolume != tt.vol || got.Ringtone != tt.tone) {
			t.Fatalf("%+v: got %+v", tt.in, got)
		}
	}
}

// The meter reports a 0.3 full-scale sine at its levels: peak -10.5 dBFS,
// RMS 3 dB lower.
func TestMicLevels(t *testing.T) {
	gen, err := dsp.NewToneGen(SampleRate, 0.3, 1000)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(NullHost{Options: []NullOption{WithSource(gen.Fill)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	levels, err := e.MicLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !e.DeviceOpen() {
		t.Fatal("the meter did not open the device")
	}
	wantPeak, wantRMS := 20*math.Log10(0.3), 20*math.Log10(0.3/math.Sqrt2)
	var got []Level
	for lv := range levels {
		got = append(got, lv)
		if len(got) == 5 {
			break
		}
	}
	for _, lv := range got {
		if math.Abs(lv.PeakDBFS-wantPeak) > 0.5 || math.Abs(lv.RMSDBFS-wantRMS) > 0.5 {
			t.Errorf("level %+v, want peak %.1f and RMS %.1f dBFS", lv, wantPeak, wantRMS)
		}
	}
	cancel()
	for range levels {
	}
	audiotest.WaitFor(t, 10*time.Second, "the meter to release the device", func() bool { return !e.DeviceOpen() })
}

// The ring volume and the ringtone choice reach the speaker: the classic
// tone at half volume is 6 dB down, a WAV file (at 16 kHz) plays at 48 kHz.
func TestRingtoneChoiceAndVolume(t *testing.T) {
	rec := &audiotest.Recorder{}
	e, err := NewEngine(NullHost{Options: []NullOption{WithSink(rec.Sink)}}, DeviceConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	s := DefaultSettings()
	s.RingVolume = 0.5
	if err := e.Apply(s); err != nil {
		t.Fatal(err)
	}
	if err := e.StartRingtone(); err != nil {
		t.Fatal(err)
	}
	// The first 400 ms burst: 1000+1250 Hz at 0.35 × 0.5 each.
	problem := "nothing recorded"
	audiotest.WaitFor(t, 15*time.Second, "a burst of the ringtone at half volume", func() bool {
		x := rec.Since(0)
		problem = audiotest.AnyCleanWindow(x, 0, func(w []int16) string {
			w = w[:SampleRate/10]
			rep := dsp.CheckTones(w, dsp.ToneCheck{Expected: []float64{1000, 1250}, MinDBFS: -30, UnexpectedDBFS: -40})
			want := 20 * math.Log10(0.35*0.5) // two tones at a each: RMS a
			if rep.OK() && math.Abs(rep.RMSdBFS-want) <= 1 {
				return ""
			}
			return rep.String()
		})
		return problem == ""
	})
	e.StopTone(ToneRingtone)

	var wav bytes.Buffer
	if err := dsp.WriteWAV(&wav, 16000, dsp.Tones(16000, 16000, 0.4, 700)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ring.wav")
	if err := os.WriteFile(path, wav.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Ringtone, s.RingVolume = path, 1
	if err := e.Apply(s); err != nil {
		t.Fatal(err)
	}
	if err := e.StartRingtone(); err != nil {
		t.Fatal(err)
	}
	defer e.StopTone(ToneRingtone)
	audiotest.HearTone(t, "the WAV ringtone", rec, []float64{700})
}

// switchHost is a NullHost whose device list the test changes, as
// plugging a headset in and out would; it records what each open asked.
type switchHost struct {
	mu      sync.Mutex
	outputs []DeviceInfo
	opened  []string
	rec     map[string]*audiotest.Recorder
}

func (h *switchHost) Devices(kind Kind) ([]DeviceInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if kind == Capture {
		return []DeviceInfo{{ID: "mic", Name: "Mic", Kind: Capture, Default: true}}, nil
	}
	return append([]DeviceInfo(nil), h.outputs...), nil
}

func (h *switchHost) Open(cfg DeviceConfig) (Device, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opened = append(h.opened, cfg.Output)
	r := h.rec[cfg.Output]
	if r == nil {
		r = &audiotest.Recorder{}
		h.rec[cfg.Output] = r
	}
	return NewNullDevice(cfg, WithSink(r.Sink))
}

func (h *switchHost) set(outputs ...DeviceInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.outputs = outputs
}

func (h *switchHost) recorder(id string) *audiotest.Recorder {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rec[id] == nil {
		h.rec[id] = &audiotest.Recorder{}
	}
	return h.rec[id]
}

// A call follows the preference order as devices come and go: it starts on
// the headset, moves to the built-in speaker when the headset vanishes and
// back when it returns, and the far end's tones keep arriving throughout.
func TestPreferenceFollowsDevicesMidCall(t *testing.T) {
	headset := DeviceInfo{ID: "headset", Name: "Headset", Kind: Playback}
	builtin := DeviceInfo{ID: "builtin", Name: "Built-in", Kind: Playback, Default: true}
	h := &switchHost{outputs: []DeviceInfo{builtin, headset}, rec: map[string]*audiotest.Recorder{}}
	e, err := NewEngine(h, DeviceConfig{}, WithDevicePoll(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if err := e.Apply(Settings{Outputs: []DeviceRef{{ID: "headset"}, {ID: "builtin"}}, RingVolume: 1}); err != nil {
		t.Fatal(err)
	}
	far := newTestEngine(t, DeviceConfig{}, bobTones...)
	ta, tb := memPair(opusParams)
	pm, err := e.Open("me", ta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pm.Close() })
	pf, err := far.Open("far", tb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pf.Close() })

	audiotest.Hear(t, "the headset", h.recorder("headset"), bobTones)
	h.set(builtin)
	audiotest.Hear(t, "the built-in speaker after the headset went", h.recorder("builtin"), bobTones)
	h.set(builtin, headset)
	mark := h.recorder("headset").Len()
	audiotest.WaitFor(t, 15*time.Second, "the call back on the headset", func() bool {
		return h.recorder("headset").Len() > mark+SampleRate/2
	})
	audiotest.Hear(t, "the headset again", h.recorder("headset"), bobTones)
	h.mu.Lock()
	opened := append([]string(nil), h.opened...)
	h.mu.Unlock()
	if len(opened) < 3 || opened[0] != "headset" || opened[1] != "builtin" || opened[len(opened)-1] != "headset" {
		t.Fatalf("devices opened %q, want headset, builtin, headset", opened)
	}
	if got := len(e.Pipelines()); got != 1 {
		t.Fatalf("%d calls after the moves, want the one", got)
	}
}
