package gui

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/phone/phonetest"
)

// fakeAudio is an AudioController that records what the window asks.
type fakeAudio struct {
	mu        sync.Mutex
	applied   []AudioSettings
	testTones int
	ringTests int
	levels    chan AudioLevel
	meterCtx  context.Context
	inputs    []AudioDevice
	outputs   []AudioDevice
}

func newFakeAudio() *fakeAudio {
	return &fakeAudio{
		levels:  make(chan AudioLevel, 4),
		inputs:  []AudioDevice{{ID: "mic", Name: "Built-in Microphone", Default: true}, {ID: "hs-in", Name: "Headset Microphone"}},
		outputs: []AudioDevice{{ID: "spk", Name: "Built-in Speaker", Default: true}, {ID: "hs-out", Name: "Headset"}},
	}
}

func (f *fakeAudio) Devices() ([]AudioDevice, []AudioDevice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.inputs), slices.Clone(f.outputs), nil
}

func (f *fakeAudio) Ringtones() []string { return []string{"classic", "chime", "pulse"} }

func (f *fakeAudio) Apply(s AudioSettings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, s)
	return nil
}

func (f *fakeAudio) MicLevels(ctx context.Context) (<-chan AudioLevel, error) {
	f.mu.Lock()
	f.meterCtx = ctx
	f.mu.Unlock()
	out := make(chan AudioLevel)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case lv := <-f.levels:
				select {
				case out <- lv:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func (f *fakeAudio) PlayTestTone() error { f.mu.Lock(); f.testTones++; f.mu.Unlock(); return nil }
func (f *fakeAudio) TestRingtone() error { f.mu.Lock(); f.ringTests++; f.mu.Unlock(); return nil }

func (f *fakeAudio) lastApplied() (AudioSettings, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.applied) == 0 {
		return AudioSettings{}, 0
	}
	return f.applied[len(f.applied)-1], len(f.applied)
}

func names(list []AudioDevice) []string {
	var out []string
	for _, d := range list {
		out = append(out, d.Name)
	}
	return out
}

// The saved settings reach the engine when the window opens, before the
// user opens the settings.
func TestAudioSettingsAppliedAtStart(t *testing.T) {
	a := test.NewTempApp(t)
	saved := AudioSettings{Outputs: []AudioDevice{{ID: "hs-out", Name: "Headset"}}, Ringtone: "chime", RingVolume: 0.4}
	saveAudioSettings(a.Preferences(), saved)
	fake := newFakeAudio()
	ui := &fyneThread{}
	e := phonetest.New()
	var m *MainWindow
	ui.do(func() { m = newMainWindow(a, e, ui.do, WithAudioSettings(fake)) })
	t.Cleanup(func() {
		ui.do(func() { m.Window().Close() })
		m.wait()
		e.Close()
	})
	deadline := time.Now().Add(patience)
	for {
		got, n := fake.lastApplied()
		if n > 0 {
			if got.Ringtone != "chime" || got.RingVolume != 0.4 || !slices.Equal(names(got.Outputs), []string{"Headset"}) {
				t.Fatalf("applied %+v, want the saved %+v", got, saved)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the saved audio settings were never applied")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var menus []string
	ui.do(func() {
		for _, menu := range m.Window().MainMenu().Items {
			for _, it := range menu.Items {
				menus = append(menus, menu.Label+" → "+it.Label)
			}
		}
	})
	if !slices.Contains(menus, "Settings → Audio settings…") {
		t.Fatalf("no Settings → Audio settings… in the menu: %q", menus)
	}
}

// The settings window flow: choose devices, reorder them, see the
// microphone level, play the test tone, change the ring volume; every
// change is applied and stored, and closing the window stops the meter.
func TestAudioSettingsWindow(t *testing.T) {
	fake := newFakeAudio()
	f := newFixture(t, WithAudioSettings(fake))
	var w *audioSettingsWindow
	f.ui.do(func() {
		f.m.showAudioSettings()
		w = f.m.audio.win
	})
	f.waitUntil("the speakers listed", func() bool {
		return slices.Contains(w.outputs.choose.Options, "Headset") &&
			slices.Contains(w.outputs.choose.Options, "Built-in Speaker (system default)")
	})
	f.ui.do(func() {
		if w.outputs.choose.Selected != systemDefaultLabel || w.rings.choose.Selected != sameAsSpeakerLabel {
			t.Errorf("fresh settings show %q and %q", w.outputs.choose.Selected, w.rings.choose.Selected)
		}
	})
	waitApplied := func(what string, ok func(AudioSettings) bool) AudioSettings {
		t.Helper()
		deadline := time.Now().Add(patience)
		for {
			got, _ := fake.lastApplied()
			if ok(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: last applied %+v", what, got)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Choosing a device puts it first; choosing another puts that first.
	f.ui.do(func() { w.outputs.choose.SetSelected("Headset") })
	f.ui.do(func() { w.outputs.choose.SetSelected("Built-in Speaker (system default)") })
	waitApplied("built-in then headset", func(s AudioSettings) bool {
		return slices.Equal(names(s.Outputs), []string{"Built-in Speaker", "Headset"})
	})
	// Down on the first row: the headset is preferred again.
	f.ui.do(func() { test.Tap(rowButton(t, w.outputs, 0, "down")) })
	got := waitApplied("headset first after moving down", func(s AudioSettings) bool {
		return slices.Equal(names(s.Outputs), []string{"Headset", "Built-in Speaker"})
	})
	if got.Outputs[0].ID != "hs-out" {
		t.Fatalf("the headset is stored without its id: %+v", got.Outputs)
	}
	f.ui.do(func() {
		if w.outputs.choose.Selected != "Headset" {
			t.Errorf("the speaker choice shows %q, want the headset now first", w.outputs.choose.Selected)
		}
		var stored AudioSettings
		if err := json.Unmarshal([]byte(f.m.app.Preferences().String(audioPrefKey)), &stored); err != nil {
			t.Fatalf("stored settings: %v", err)
		}
		if !slices.Equal(names(stored.Outputs), []string{"Headset", "Built-in Speaker"}) {
			t.Errorf("stored order %q", names(stored.Outputs))
		}
		// A ring device of its own, and the microphone of the headset.
		w.rings.choose.SetSelected("Built-in Speaker (system default)")
		w.inputs.choose.SetSelected("Headset Microphone")
	})
	waitApplied("ring and microphone", func(s AudioSettings) bool {
		return slices.Equal(names(s.Rings), []string{"Built-in Speaker"}) &&
			slices.Equal(names(s.Inputs), []string{"Headset Microphone"})
	})

	// A device in the order that is not connected says so.
	fake.mu.Lock()
	fake.outputs = fake.outputs[:1]
	fake.mu.Unlock()
	f.ui.do(w.refresh)
	f.waitUntil("the headset marked as not connected", func() bool {
		return containsText(textsIn(w.win.Content()), "1. Headset (not connected)")
	})
	f.ui.do(func() {
		if w.outputs.choose.Selected != "Built-in Speaker (system default)" {
			t.Errorf("with the headset gone the choice shows %q", w.outputs.choose.Selected)
		}
	})

	// The microphone meter.
	fake.levels <- AudioLevel{PeakDBFS: -17, RMSDBFS: -20}
	f.waitUntil("the microphone level", func() bool {
		return math.Abs(w.level.Value-2.0/3) < 0.01 && strings.Contains(w.levelText.Text, "-20 dBFS")
	})

	// The test tone, the ringtone test, the volume and the ringtone.
	f.ui.do(func() {
		test.Tap(buttonIn(t, w.win.Content(), "Play test tone"))
		test.Tap(buttonIn(t, w.win.Content(), "Test the ringtone"))
		w.volume.SetValue(50)
		w.volume.OnChangeEnded(50)
		w.ringtone.SetSelected("Pulse")
	})
	waitApplied("volume and ringtone", func(s AudioSettings) bool { return s.RingVolume == 0.5 && s.Ringtone == "pulse" })
	deadline := time.Now().Add(patience)
	for {
		fake.mu.Lock()
		tones, rings := fake.testTones, fake.ringTests
		fake.mu.Unlock()
		if tones == 1 && rings == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("test tone played %d times, ringtone test %d times; want 1 each", tones, rings)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Closing stops the meter.
	f.ui.do(func() { w.win.Close() })
	fake.mu.Lock()
	ctx := fake.meterCtx
	fake.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-time.After(patience):
		t.Fatal("closing the settings window left the microphone meter running")
	}
	f.ui.do(func() {
		if f.m.audio.win != nil {
			t.Error("the settings window is still registered after closing")
		}
	})
}

// rowButton returns the up, down or remove button of row i of p.
func rowButton(t *testing.T, p *prefEditor, i int, which string) *widget.Button {
	t.Helper()
	row := p.rows.Objects[i+1].(*fyne.Container) // after the heading
	for _, o := range row.Objects {
		box, ok := o.(*fyne.Container)
		if !ok {
			continue
		}
		idx := map[string]int{"up": 0, "down": 1, "remove": 2}[which]
		return &box.Objects[idx].(*tipButton).Button
	}
	t.Fatalf("row %d has no buttons", i)
	return nil
}

func buttonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

func TestLevelFraction(t *testing.T) {
	for _, tt := range []struct{ db, want float64 }{{-200, 0}, {-60, 0}, {-30, 0.5}, {0, 1}, {3, 1}} {
		if got := levelFraction(tt.db); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("levelFraction(%v) = %v, want %v", tt.db, got, tt.want)
		}
	}
}
