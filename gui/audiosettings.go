package gui

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// AudioDevice is a sound device as the audio settings list it. ID is the
// backend's stable identifier, Name what the user recognises; a saved
// device is found again by either.
type AudioDevice struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Default bool   `json:"-"`
}

// AudioSettings are the user's audio choices, stored in the window's
// preferences. Each device list is an order of preference: the first
// present device is used, also when devices come and go during a call; an
// empty list is the system default (for Rings: the speaker).
type AudioSettings struct {
	Inputs     []AudioDevice `json:"inputs,omitempty"`
	Outputs    []AudioDevice `json:"outputs,omitempty"`
	Rings      []AudioDevice `json:"rings,omitempty"`
	Ringtone   string        `json:"ringtone,omitempty"` // a built-in name or a WAV file's path
	RingVolume float64       `json:"ring_volume"`        // 0..1
}

// AudioLevel is one microphone meter reading.
type AudioLevel struct{ PeakDBFS, RMSDBFS float64 }

// AudioController is what the audio settings window drives: the sound
// engine, behind an adapter, so that the window knows nothing of it. Every
// method may block briefly and is called off the Fyne thread.
type AudioController interface {
	// Devices lists the microphones and the speakers present now.
	Devices() (inputs, outputs []AudioDevice, err error)
	// Ringtones names the built-in ringtones.
	Ringtones() []string
	// Apply makes s the settings in effect (a call moves at once).
	Apply(s AudioSettings) error
	// MicLevels measures the chosen microphone until ctx ends, then
	// closes the channel.
	MicLevels(ctx context.Context) (<-chan AudioLevel, error)
	// PlayTestTone sounds a short tone on the chosen speaker.
	PlayTestTone() error
	// TestRingtone plays the ringtone once, on the ring device, at the
	// ring volume.
	TestRingtone() error
}

// WithAudioSettings gives the window Settings → Audio settings, driving
// c. The saved settings are applied to c when the window opens.
func WithAudioSettings(c AudioController) Option {
	return func(cfg *runConfig) { cfg.audio = c }
}

// audioPrefKey is where the settings live in the Fyne preferences (JSON).
const audioPrefKey = "audio.settings"

// audioState is the window's side of the audio settings.
type audioState struct {
	ctrl AudioController
	win  *audioSettingsWindow // open settings window, or nil

	// applyMu serialises Apply calls; latest is what the last one must
	// apply, so concurrent changes end with the newest in effect.
	applyMu  sync.Mutex
	latestMu sync.Mutex
	latest   AudioSettings
}

// setUpAudio keeps c and applies the saved settings. Fyne thread only.
func (m *MainWindow) setUpAudio(c AudioController) {
	if c == nil {
		return
	}
	m.audio = &audioState{ctrl: c}
	s, ok := loadAudioSettings(m.app.Preferences())
	if ok {
		m.applyAudio(s)
	}
}

// audioMenuItem is the menu entry that opens the settings, nil without a
// controller.
func (m *MainWindow) audioMenuItem() *fyne.MenuItem {
	if m.audio == nil {
		return nil
	}
	return fyne.NewMenuItem(lang.L("Audio settings…"), m.showAudioSettings)
}

// closeAudioSettings closes the settings window with the main one.
func (m *MainWindow) closeAudioSettings() {
	if m.audio != nil && m.audio.win != nil {
		m.audio.win.win.Close()
	}
}

func defaultAudioSettings() AudioSettings { return AudioSettings{RingVolume: 1} }

func loadAudioSettings(p fyne.Preferences) (AudioSettings, bool) {
	raw := p.String(audioPrefKey)
	s := defaultAudioSettings()
	if raw == "" || json.Unmarshal([]byte(raw), &s) != nil {
		return defaultAudioSettings(), false
	}
	return s, true
}

func saveAudioSettings(p fyne.Preferences, s AudioSettings) {
	b, err := json.Marshal(s)
	if err == nil {
		p.SetString(audioPrefKey, string(b))
	}
}

// applyAudio hands s to the controller off the Fyne thread; done, if not
// nil, gets the outcome on the Fyne thread.
func (m *MainWindow) applyAudio(s AudioSettings) {
	a := m.audio
	a.latestMu.Lock()
	a.latest = s
	a.latestMu.Unlock()
	m.run(func(context.Context) error {
		a.applyMu.Lock()
		defer a.applyMu.Unlock()
		a.latestMu.Lock()
		s := a.latest
		a.latestMu.Unlock()
		return a.ctrl.Apply(s)
	}, func(err error) {
		if w := a.win; w != nil {
			w.showResult(err)
		} else if err != nil {
			m.setNotice(lang.L("Audio settings: {{.Reason}}", map[string]any{"Reason": errorText(err)}), widget.WarningImportance)
		}
	})
}

// audioSettingsWindow is Settings → Audio settings.
type audioSettingsWindow struct {
	m        *MainWindow
	ctrl     AudioController
	win      fyne.Window
	settings AudioSettings

	inputs, outputs *prefEditor
	rings           *prefEditor
	level           *widget.ProgressBar
	levelText       *widget.Label
	ringtone        *widget.Select
	ringtones       map[string]string // shown label → Settings.Ringtone
	volume          *widget.Slider
	status          *widget.Label
	stopMeter       context.CancelFunc
	tips            *tipLayer
}

// Labels of the device choices that are no device.
const (
	systemDefaultLabel = "System default"
	sameAsSpeakerLabel = "Same as the speaker"
	wavFileLabel       = "A WAV file…"
)

func (m *MainWindow) showAudioSettings() {
	if m.audio == nil || m.closed {
		return
	}
	if w := m.audio.win; w != nil {
		w.win.RequestFocus()
		return
	}
	s, _ := loadAudioSettings(m.app.Preferences())
	w := &audioSettingsWindow{m: m, ctrl: m.audio.ctrl, win: m.app.NewWindow(lang.L("Parley: audio settings")), settings: s}
	w.build()
	m.audio.win = w
	w.win.SetOnClosed(func() {
		w.tips.leave(nil) // no tip timer outlives the window
		w.stopMeter()
		m.audio.win = nil
	})
	w.win.Resize(fyne.NewSize(520, 720))
	w.win.Show()
	w.refresh()
	w.startMeter()
}

func (w *audioSettingsWindow) build() {
	w.tips = newTipLayer(w.m.onUI)
	w.inputs = newPrefEditor(w.tips, lang.L("Microphone"), lang.L(systemDefaultLabel), w.settings.Inputs, w.changed)
	w.outputs = newPrefEditor(w.tips, lang.L("Speaker"), lang.L(systemDefaultLabel), w.settings.Outputs, w.changed)
	w.rings = newPrefEditor(w.tips, lang.L("Ringer"), lang.L(sameAsSpeakerLabel), w.settings.Rings, w.changed)

	w.level = widget.NewProgressBar()
	w.level.TextFormatter = func() string { return "" }
	w.levelText = widget.NewLabel(lang.L("Microphone level: waiting for the microphone…"))
	testTone := widget.NewButtonWithIcon(lang.L("Play test tone"), theme.MediaPlayIcon(), func() {
		w.m.run(func(context.Context) error { return w.ctrl.PlayTestTone() }, w.showResult)
	})
	testRing := widget.NewButtonWithIcon(lang.L("Test the ringtone"), theme.VolumeUpIcon(), func() {
		w.m.run(func(context.Context) error { return w.ctrl.TestRingtone() }, w.showResult)
	})

	w.ringtones = map[string]string{}
	var names []string
	for _, r := range w.ctrl.Ringtones() {
		label := ringtoneLabel(r)
		w.ringtones[label] = r
		names = append(names, label)
	}
	if t := w.settings.Ringtone; t != "" && !containsValue(w.ringtones, t) {
		label := lang.L("File: {{.Name}}", map[string]any{"Name": filepath.Base(t)})
		w.ringtones[label] = t
		names = append(names, label)
	}
	names = append(names, lang.L(wavFileLabel))
	w.ringtone = widget.NewSelect(names, nil)
	w.ringtone.SetSelected(w.ringtoneShown())
	w.ringtone.OnChanged = w.ringtoneChosen

	w.volume = widget.NewSlider(0, 100)
	w.volume.Step = 5
	w.volume.SetValue(math.Round(w.settings.RingVolume * 100))
	w.volume.OnChangeEnded = func(v float64) {
		w.settings.RingVolume = v / 100
		w.save()
	}
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord

	rule := widget.NewLabel(lang.L("Each list is an order of preference: Parley uses the first device in it that is connected, " +
		"when a call starts and whenever a device is plugged in or out, also during a call."))
	rule.Wrapping = fyne.TextWrapWord
	// One form, so that the choices line up whatever the labels' widths.
	form := container.NewVBox(
		rule,
		widget.NewForm(
			widget.NewFormItem(w.inputs.title, container.NewVBox(w.inputs.object(), w.level, w.levelText)),
			widget.NewFormItem(w.outputs.title, container.NewVBox(w.outputs.object(), testTone)),
			widget.NewFormItem(w.rings.title, w.rings.object()),
			widget.NewFormItem(lang.L("Ringtone"), w.ringtone),
			widget.NewFormItem(lang.L("Ring volume"), container.NewVBox(w.volume, testRing)),
		),
		w.status,
	)
	w.win.SetContent(container.NewStack(container.NewVScroll(container.NewPadded(form)), w.tips.object()))
}

// refresh lists the devices present, off the Fyne thread.
func (w *audioSettingsWindow) refresh() {
	var ins, outs []AudioDevice
	w.m.run(func(context.Context) error {
		var err error
		ins, outs, err = w.ctrl.Devices()
		return err
	}, func(err error) {
		if err != nil {
			w.showResult(fmt.Errorf("%s: %w", lang.L("cannot list the sound devices"), err))
			return
		}
		w.inputs.setPresent(ins)
		w.outputs.setPresent(outs)
		w.rings.setPresent(outs)
	})
}

// startMeter shows the microphone's level while the window is open.
func (w *audioSettingsWindow) startMeter() {
	ctx, cancel := context.WithCancel(w.m.ctx)
	w.stopMeter = cancel
	// Devices plugged in or out while the window is open show up too.
	w.m.wg.Add(1)
	go func() {
		defer w.m.wg.Done()
		t := time.NewTicker(deviceListRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				w.m.onUI(func() {
					if w.m.audio.win == w {
						w.refresh()
					}
				})
			}
		}
	}()
	levels, err := w.ctrl.MicLevels(ctx)
	if err != nil {
		w.levelText.SetText(lang.L("Microphone level: {{.Reason}}", map[string]any{"Reason": errorText(err)}))
		return
	}
	w.m.wg.Add(1)
	go func() {
		defer w.m.wg.Done()
		for lv := range levels {
			w.m.onUI(func() {
				if w.m.audio.win == w {
					w.showLevel(lv)
				}
			})
		}
	}()
}

// deviceListRefresh is how often the open window lists the devices again.
const deviceListRefresh = 2 * time.Second

// meterFloor is the bottom of the level bar: quieter is no signal.
const meterFloor = -60.0

func (w *audioSettingsWindow) showLevel(lv AudioLevel) {
	w.level.SetValue(levelFraction(lv.RMSDBFS))
	if lv.RMSDBFS <= meterFloor {
		w.levelText.SetText(lang.L("Microphone level: no sound"))
		return
	}
	w.levelText.SetText(lang.L("Microphone level: {{.Level}} dBFS (peak {{.Peak}})", map[string]any{"Level": fmt.Sprintf("%.0f", lv.RMSDBFS), "Peak": fmt.Sprintf("%.0f", lv.PeakDBFS)}))
}

// levelFraction maps dBFS onto the bar: meterFloor is empty, 0 dBFS full.
func levelFraction(db float64) float64 {
	return min(max((db-meterFloor)/-meterFloor, 0), 1)
}

func (w *audioSettingsWindow) ringtoneShown() string {
	want := w.settings.Ringtone
	for label, v := range w.ringtones {
		if v == want {
			return label
		}
	}
	if len(w.ctrl.Ringtones()) > 0 {
		return ringtoneLabel(w.ctrl.Ringtones()[0])
	}
	return ""
}

func (w *audioSettingsWindow) ringtoneChosen(label string) {
	if label != lang.L(wavFileLabel) {
		w.settings.Ringtone = w.ringtones[label]
		w.save()
		return
	}
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			w.ringtone.SetSelected(w.ringtoneShown())
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		label := lang.L("File: {{.Name}}", map[string]any{"Name": filepath.Base(path)})
		if !containsValue(w.ringtones, path) {
			w.ringtones[label] = path
			opts := append([]string(nil), w.ringtone.Options[:len(w.ringtone.Options)-1]...)
			w.ringtone.SetOptions(append(opts, label, lang.L(wavFileLabel)))
		}
		w.settings.Ringtone = path
		w.ringtone.SetSelected(label)
		w.save()
	}, w.win)
	open.SetFilter(storage.NewExtensionFileFilter([]string{".wav", ".WAV"}))
	open.Show()
}

// changed runs when a device list changed.
func (w *audioSettingsWindow) changed() {
	w.settings.Inputs = w.inputs.order()
	w.settings.Outputs = w.outputs.order()
	w.settings.Rings = w.rings.order()
	w.save()
}

// save stores the settings and applies them.
func (w *audioSettingsWindow) save() {
	saveAudioSettings(w.m.app.Preferences(), w.settings)
	w.m.applyAudio(w.settings)
}

func (w *audioSettingsWindow) showResult(err error) {
	if err != nil {
		w.status.Importance = widget.DangerImportance
		w.status.SetText(lang.L("Could not {{.Action}}: {{.Reason}}.", map[string]any{"Action": lang.L("apply the audio settings"), "Reason": errorText(err)}))
		return
	}
	w.status.Importance = widget.MediumImportance
	w.status.SetText("")
}

func ringtoneLabel(name string) string {
	switch name { // the built-in ones (audio.RingtoneNames)
	case "":
		return name
	case "classic":
		return lang.L("Classic")
	case "chime":
		return lang.L("Chime")
	case "pulse":
		return lang.L("Pulse")
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func containsValue(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

// prefEditor edits one device preference list: a choice that puts a
// device first, and the order with up, down and remove per device.
type prefEditor struct {
	tips      *tipLayer
	title     string
	noneLabel string
	list      []AudioDevice
	present   []AudioDevice
	onChange  func()

	choose   *widget.Select
	rows     *fyne.Container
	updating bool
}

func newPrefEditor(tips *tipLayer, title, noneLabel string, saved []AudioDevice, onChange func()) *prefEditor {
	p := &prefEditor{tips: tips, title: title, noneLabel: noneLabel, list: append([]AudioDevice(nil), saved...), onChange: onChange}
	p.choose = widget.NewSelect([]string{noneLabel}, p.chosen)
	p.rows = container.NewVBox()
	p.render()
	return p
}

func (p *prefEditor) object() fyne.CanvasObject { return container.NewVBox(p.choose, p.rows) }

func (p *prefEditor) order() []AudioDevice { return append([]AudioDevice(nil), p.list...) }

// setPresent updates the devices connected now.
func (p *prefEditor) setPresent(devs []AudioDevice) {
	if p.present != nil && slices.Equal(p.present, devs) {
		return // nothing changed: keep the widgets under the pointer
	}
	p.present = devs
	p.render()
}

func (p *prefEditor) isPresent(d AudioDevice) bool {
	for _, x := range p.present {
		if sameDevice(d, x) {
			return true
		}
	}
	return false
}

func sameDevice(a, b AudioDevice) bool {
	return (a.ID != "" && a.ID == b.ID) || (a.Name != "" && strings.EqualFold(a.Name, b.Name))
}

// inUse is the device the order picks now, or nil (the default).
func (p *prefEditor) inUse() *AudioDevice {
	for i := range p.list {
		if p.isPresent(p.list[i]) {
			return &p.list[i]
		}
	}
	return nil
}

func (p *prefEditor) chosen(label string) {
	if p.updating {
		return
	}
	if label == p.noneLabel {
		p.list = nil
	} else {
		for _, d := range p.present {
			if deviceLabel(d) != label {
				continue
			}
			p.remove(d)
			p.list = append([]AudioDevice{{ID: d.ID, Name: d.Name}}, p.list...)
			break
		}
	}
	p.render()
	p.onChange()
}

func (p *prefEditor) remove(d AudioDevice) {
	out := p.list[:0]
	for _, x := range p.list {
		if !sameDevice(x, d) {
			out = append(out, x)
		}
	}
	p.list = out
}

func (p *prefEditor) move(i, by int) {
	j := i + by
	if i < 0 || j < 0 || i >= len(p.list) || j >= len(p.list) {
		return
	}
	p.list[i], p.list[j] = p.list[j], p.list[i]
	p.render()
	p.onChange()
}

func deviceLabel(d AudioDevice) string {
	if d.Default {
		return lang.L("{{.Name}} (system default)", map[string]any{"Name": d.Name})
	}
	return d.Name
}

// render redraws the choice and the order. Fyne thread only.
func (p *prefEditor) render() {
	p.updating = true
	defer func() { p.updating = false }()
	opts := []string{p.noneLabel}
	for _, d := range p.present {
		opts = append(opts, deviceLabel(d))
	}
	p.choose.SetOptions(opts)
	if d := p.inUse(); d != nil {
		for _, x := range p.present {
			if sameDevice(*d, x) {
				p.choose.SetSelected(deviceLabel(x))
			}
		}
	} else {
		p.choose.SetSelected(p.noneLabel)
	}
	p.rows.RemoveAll()
	if len(p.list) == 0 {
		return
	}
	p.rows.Add(widget.NewLabelWithStyle(lang.L("Order of preference"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	for i, d := range p.list {
		text := fmt.Sprintf("%d. %s", i+1, d.Name)
		if !p.isPresent(d) && p.present != nil {
			text = lang.L("{{.Number}}. {{.Name}} (not connected)", map[string]any{"Number": i + 1, "Name": d.Name})
		}
		up := newTipButton(p.tips, "", theme.MoveUpIcon(), lang.L("Prefer {{.Name}} to the device above", map[string]any{"Name": d.Name}), func() { p.move(i, -1) })
		down := newTipButton(p.tips, "", theme.MoveDownIcon(), lang.L("Prefer the device below to {{.Name}}", map[string]any{"Name": d.Name}), func() { p.move(i, 1) })
		del := newTipButton(p.tips, "", theme.DeleteIcon(), lang.L("Remove {{.Name}} from the order", map[string]any{"Name": d.Name}), func() {
			p.list = append(p.list[:i:i], p.list[i+1:]...)
			p.render()
			p.onChange()
		})
		if i == 0 {
			up.Disable()
		}
		if i == len(p.list)-1 {
			down.Disable()
		}
		label := widget.NewLabel(text)
		label.Truncation = fyne.TextTruncateEllipsis
		p.rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(up, down, del), label))
	}
}
