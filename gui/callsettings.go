package gui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CallSettings are the line's call settings the window lets the user
// change. They apply from the next sign-in.
type CallSettings struct {
	// Codecs are the codecs offered, in preference order; AvailableCodecs
	// every one Parley knows (Load fills it).
	Codecs, AvailableCodecs []string
	// AutoAnswer is "off", "intercom" (calls marked for it by the server)
	// or "always"; AutoAnswerDelay waits before answering.
	AutoAnswer      string
	AutoAnswerDelay time.Duration
	// AutoAnswerLocked: the organisation set auto-answer for everyone.
	AutoAnswerLocked bool
	// DTMF is how keypad digits are sent: "auto", "rfc4733" or "info".
	DTMF string
}

// CallSettingsStore keeps the call settings (the account file, in
// internal/cli). Its methods are called off the Fyne thread.
type CallSettingsStore interface {
	Load() (CallSettings, error)
	Save(CallSettings) error
}

// WithCallSettings offers Settings → Call settings.
func WithCallSettings(store CallSettingsStore) Option {
	return func(c *runConfig) { c.callSettings = store }
}

// codecName is the codec as a person knows it.
func codecName(c string) string {
	switch c {
	case "opus":
		return lang.L("Opus (wideband, for the internet)")
	case "g722":
		return lang.L("G.722 (wideband)")
	case "pcmu":
		return lang.L("G.711 µ-law (PCMU)")
	case "pcma":
		return lang.L("G.711 A-law (PCMA)")
	}
	return strings.ToUpper(c)
}

// callSettingsForm edits CallSettings; Fyne thread only.
type callSettingsForm struct {
	settings CallSettings
	order    []string        // every codec, offered ones first
	enabled  map[string]bool // offered
	list     *fyne.Container
	answer   *widget.RadioGroup
	delay    *widget.Entry
	dtmf     *widget.Select
	problem  *widget.Label

	answerLabels, dtmfLabels []string // the choices as shown, in answerValues, dtmfValues order
}

// The choices' English texts; the form shows them translated.
const (
	answerOff      = "Off"
	answerIntercom = "When the server asks (intercom, paging)"
	answerAlways   = "Always"
	dtmfAuto       = "Automatic"
	dtmfRFC4733    = "In the audio (RFC 4733)"
	dtmfInfo       = "As SIP INFO messages"
)

var (
	answerChoices = []string{answerOff, answerIntercom, answerAlways}
	answerValues  = []string{"off", "intercom", "always"}
	dtmfValues    = []string{"auto", "rfc4733", "info"}
)

func answerLabels() []string {
	return []string{lang.L(answerOff), lang.L(answerIntercom), lang.L(answerAlways)}
}

func dtmfLabels() []string {
	return []string{lang.L(dtmfAuto), lang.L(dtmfRFC4733), lang.L(dtmfInfo)}
}

func newCallSettingsForm(s CallSettings) *callSettingsForm {
	f := &callSettingsForm{settings: s, enabled: map[string]bool{}, answerLabels: answerLabels(), dtmfLabels: dtmfLabels()}
	for _, c := range s.Codecs {
		f.order = append(f.order, c)
		f.enabled[c] = true
	}
	for _, c := range s.AvailableCodecs {
		if !slices.Contains(f.order, c) {
			f.order = append(f.order, c)
		}
	}
	f.list = container.NewVBox()
	f.renderCodecs()
	f.answer = widget.NewRadioGroup(f.answerLabels, nil)
	f.answer.SetSelected(f.answerLabels[max(0, slices.Index(answerValues, s.AutoAnswer))])
	f.delay = widget.NewEntry()
	f.delay.SetText(strconv.Itoa(int(s.AutoAnswerDelay / time.Second)))
	if s.AutoAnswerLocked {
		f.answer.Disable()
		f.delay.Disable()
	}
	f.dtmf = widget.NewSelect(f.dtmfLabels, nil)
	f.dtmf.SetSelected(f.dtmfLabels[max(0, slices.Index(dtmfValues, s.DTMF))])
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Hide()
	return f
}

func (f *callSettingsForm) renderCodecs() {
	f.list.Objects = nil
	for i, c := range f.order {
		codec, at := c, i
		check := widget.NewCheck(codecName(codec), func(on bool) { f.enabled[codec] = on })
		check.SetChecked(f.enabled[codec])
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { f.move(at, -1) })
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { f.move(at, 1) })
		if at == 0 {
			up.Disable()
		}
		if at == len(f.order)-1 {
			down.Disable()
		}
		f.list.Add(container.NewBorder(nil, nil, nil, container.NewHBox(up, down), check))
	}
	f.list.Refresh()
}

func (f *callSettingsForm) move(i, by int) {
	j := i + by
	if j < 0 || j >= len(f.order) {
		return
	}
	f.order[i], f.order[j] = f.order[j], f.order[i]
	f.renderCodecs()
}

// result reads the form back, or says what is wrong.
func (f *callSettingsForm) result() (CallSettings, string) {
	out := f.settings
	out.Codecs = nil
	for _, c := range f.order {
		if f.enabled[c] {
			out.Codecs = append(out.Codecs, c)
		}
	}
	if len(out.Codecs) == 0 {
		return out, lang.L("Choose at least one codec: with none, no call could be set up.")
	}
	if i := slices.Index(f.answerLabels, f.answer.Selected); i >= 0 {
		out.AutoAnswer = answerValues[i]
	}
	secs, err := strconv.Atoi(strings.TrimSpace(f.delay.Text))
	if err != nil || secs < 0 || secs > 60 {
		return out, lang.L("The answering delay is a number of seconds from 0 to 60.")
	}
	out.AutoAnswerDelay = time.Duration(secs) * time.Second
	if i := slices.Index(f.dtmfLabels, f.dtmf.Selected); i >= 0 {
		out.DTMF = dtmfValues[i]
	}
	return out, ""
}

func (f *callSettingsForm) object() fyne.CanvasObject {
	answerNote := lang.L("Auto-answer")
	if f.settings.AutoAnswerLocked {
		answerNote = lang.L("Auto-answer (set by your organisation)")
	}
	return container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Codecs, in the order Parley prefers them"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.list,
		widget.NewLabelWithStyle(answerNote, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.answer,
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("after")), widget.NewLabel(lang.L("seconds")), f.delay),
		widget.NewLabelWithStyle(lang.L("Keypad tones"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.dtmf,
		f.problem,
	)
}

// showCallSettings opens the call settings; Fyne thread only.
func (m *MainWindow) showCallSettings() {
	if m.callSettings == nil {
		return
	}
	var loaded CallSettings
	m.run(func(context.Context) error {
		var err error
		loaded, err = m.callSettings.Load()
		return err
	}, func(err error) {
		if err != nil {
			m.setNotice(failureText(lang.L("read the call settings"), err), widget.DangerImportance)
			return
		}
		f := newCallSettingsForm(loaded)
		var d *dialog.CustomDialog
		save := widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), func() {
			s, problem := f.result()
			if problem != "" {
				f.problem.SetText(problem)
				f.problem.Show()
				return
			}
			d.Hide()
			m.run(func(context.Context) error { return m.callSettings.Save(s) }, func(err error) {
				if err != nil {
					m.setNotice(failureText(lang.L("save the call settings"), err), widget.DangerImportance)
					return
				}
				m.setNotice(lang.L("Call settings saved: they apply from your next sign-in."), widget.SuccessImportance)
			})
		})
		save.Importance = widget.HighImportance
		cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
		d = dialog.NewCustomWithoutButtons(lang.L("Call settings"), container.NewVScroll(f.object()), m.win)
		d.SetButtons([]fyne.CanvasObject{cancel, save})
		d.Resize(fyne.NewSize(400, 520))
		m.callSettingsForm = f
		d.Show()
	})
}

// callSettingsSummary is how the settings read in one line (tests, logs).
func callSettingsSummary(s CallSettings) string {
	return fmt.Sprintf("codecs %s; auto-answer %s after %s; tones %s",
		strings.Join(s.Codecs, ","), s.AutoAnswer, s.AutoAnswerDelay, s.DTMF)
}
