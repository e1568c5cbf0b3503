package gui

import (
	"context"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Verdict is how one check of "Check my setup" ended.
type Verdict string

// Verdicts; VerdictPending while the check runs.
const (
	VerdictPending    Verdict = ""
	VerdictOK         Verdict = "ok"
	VerdictWarning    Verdict = "warning"
	VerdictFailed     Verdict = "failed"
	VerdictNotChecked Verdict = "not checked"
)

// CheckLine is one line of "Check my setup": what is checked, and once it
// is done the verdict, a sentence saying what was found and what to do.
// Name, Summary and Advice are the engine's English; SummaryText and
// AdviceText the same before wording, which the window translates (Name
// is its own key), showing the English for a text it does not know.
type CheckLine struct {
	ID          string
	Name        string
	Verdict     Verdict
	Summary     string
	Advice      string
	SummaryText CheckText
	AdviceText  CheckText
}

// CheckText is a sentence of "Check my setup" before wording: Key is the
// English text/template, Values fill it in.
type CheckText struct {
	Key    string
	Values map[string]string
}

// word is t in the user's language, or english when t's key is unknown.
func (t CheckText) word(english string) string {
	if t.Key == "" {
		return english
	}
	values := make(map[string]any, len(t.Values))
	for k, v := range t.Values {
		values[k] = v
	}
	if s, ok := selfTestWords(t.Key, values); ok {
		return s
	}
	return english
}

// SelfTest is what the "Check my setup" window needs from the engine side
// (internal/selftest through the cli): the list of checks, a run that
// reports each line as it ends, and the diagnostics bundle. The window
// stays testable with a fake, and gui imports none of the checks'
// dependencies.
type SelfTest interface {
	// Checks lists the checks in display order, with no verdict yet.
	Checks() []CheckLine
	// Run runs them, calling report from any goroutine as each ends, and
	// returns when all have ended or ctx is done.
	Run(ctx context.Context, report func(CheckLine))
	// SaveDiagnostics writes the redacted diagnostics bundle (a zip);
	// last is the latest run's lines, to include.
	SaveDiagnostics(w io.Writer, last []CheckLine) error
}

// WithSelfTest adds Help → Check my setup, backed by st.
func WithSelfTest(st SelfTest) Option {
	return func(c *runConfig) { c.selfTest = st }
}

// selfTestWindow is the open "Check my setup" window. Its fields are used
// on the Fyne thread only, except where noted.
type selfTestWindow struct {
	m     *MainWindow
	st    SelfTest
	win   fyne.Window
	rows  map[string]*checkRow
	order []string
	again *widget.Button
	save  *widget.Button
	note  *widget.Label
	// overall sums the verdicts up above the list.
	overall *widget.Label
	// cancel stops the run in progress; run counts runs so a late report
	// from an older one is dropped. The goroutines are the main window's
	// (m.wg), so its wait covers them.
	cancel context.CancelFunc
	run    int
	closed bool
}

type checkRow struct {
	line    CheckLine
	icon    *widget.Icon
	busy    *widget.Activity
	name    *widget.Label
	summary *widget.Label
	advice  *widget.Label
}

// showSelfTest opens the window, or raises it, and starts the checks.
// Fyne thread only.
func (m *MainWindow) showSelfTest() {
	if m.selfTest == nil {
		return
	}
	if m.selfTestWin != nil {
		m.selfTestWin.win.RequestFocus()
		return
	}
	w := &selfTestWindow{m: m, st: m.selfTest, win: m.app.NewWindow(lang.L("Parley: check my setup")), rows: map[string]*checkRow{}}
	list := container.NewVBox()
	for _, line := range w.st.Checks() {
		r := newCheckRow(line)
		w.rows[line.ID] = r
		w.order = append(w.order, line.ID)
		list.Add(r.object())
		list.Add(widget.NewSeparator())
	}
	intro := widget.NewLabel(lang.L("Parley checks what your calls need. The microphone check listens for a second: say something. The speaker check plays a short tone."))
	intro.Wrapping = fyne.TextWrapWord
	w.note = widget.NewLabel("")
	w.note.Wrapping = fyne.TextWrapWord
	w.note.Hide()
	w.again = widget.NewButtonWithIcon(lang.L("Check again"), theme.ViewRefreshIcon(), w.start)
	w.save = widget.NewButtonWithIcon(lang.L("Save diagnostics…"), theme.DocumentSaveIcon(), w.askSave)
	closeBtn := widget.NewButton(lang.L("Close"), func() { w.win.Close() })
	buttons := container.NewHBox(w.again, w.save, layout.NewSpacer(), closeBtn)
	w.overall = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.overall.Wrapping = fyne.TextWrapWord
	w.win.SetContent(container.NewBorder(container.NewVBox(intro, w.overall), container.NewVBox(w.note, buttons), nil, nil, container.NewVScroll(list)))
	w.win.Resize(fyne.NewSize(640, 760))
	w.win.SetOnClosed(w.onClosed)
	m.selfTestWin = w
	w.win.Show()
	w.start()
}

func newCheckRow(line CheckLine) *checkRow {
	r := &checkRow{
		icon:    widget.NewIcon(nil),
		busy:    widget.NewActivity(),
		name:    widget.NewLabelWithStyle(CheckText{Key: line.Name}.word(line.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		summary: widget.NewLabel(""),
		advice:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
	}
	r.summary.Wrapping = fyne.TextWrapWord
	r.advice.Wrapping = fyne.TextWrapWord
	r.set(line)
	return r
}

func (r *checkRow) object() fyne.CanvasObject {
	mark := container.NewStack(r.icon, r.busy)
	// Labels carry their own inner padding: the lines of one check sit
	// closer together than the checks, which the separators divide.
	text := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), r.name, r.summary, r.advice)
	return container.NewBorder(nil, nil, container.NewPadded(mark), nil, text)
}

// set shows line. Fyne thread only.
func (r *checkRow) set(line CheckLine) {
	r.line = line
	r.summary.SetText(line.SummaryText.word(line.Summary))
	r.advice.SetText(line.AdviceText.word(line.Advice))
	if line.Advice == "" {
		r.advice.Hide()
	} else {
		r.advice.Show()
	}
	if line.Verdict == VerdictPending {
		r.icon.Hide()
		r.busy.Show()
		r.busy.Start()
		r.summary.SetText(lang.L("Checking…"))
		return
	}
	r.busy.Stop()
	r.busy.Hide()
	r.icon.Show()
	r.name.Importance = widget.MediumImportance
	switch line.Verdict {
	case VerdictOK:
		r.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		r.name.Importance = widget.SuccessImportance
	case VerdictWarning:
		r.icon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		r.name.Importance = widget.WarningImportance
	case VerdictFailed:
		r.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
		r.name.Importance = widget.DangerImportance
	default:
		r.icon.SetResource(theme.NewDisabledResource(theme.InfoIcon()))
	}
	r.name.Refresh()
}

// start (re)runs every check. Fyne thread only.
func (w *selfTestWindow) start() {
	if w.cancel != nil {
		w.cancel()
	}
	w.run++
	run := w.run
	for _, id := range w.order {
		r := w.rows[id]
		r.set(CheckLine{ID: id, Name: r.line.Name})
	}
	w.again.Disable()
	w.note.Hide()
	w.sumUp()
	ctx, cancel := context.WithCancel(w.m.ctx)
	w.cancel = cancel
	w.m.wg.Add(1)
	go func() {
		defer w.m.wg.Done()
		defer cancel()
		w.st.Run(ctx, func(line CheckLine) {
			w.m.onUI(func() {
				if r, ok := w.rows[line.ID]; ok && !w.closed && w.run == run {
					r.set(line)
					w.sumUp()
				}
			})
		})
		w.m.onUI(func() {
			if !w.closed && w.run == run {
				w.again.Enable()
			}
		})
	}()
}

// sumUp says in one line how the run stands. Fyne thread only.
func (w *selfTestWindow) sumUp() {
	var pending, failed, warned int
	for _, id := range w.order {
		switch w.rows[id].line.Verdict {
		case VerdictPending:
			pending++
		case VerdictFailed:
			failed++
		case VerdictWarning:
			warned++
		}
	}
	text, imp := "", widget.MediumImportance
	switch {
	case pending > 0:
		text = lang.L("Checking… ({{.Done}} of {{.Total}} done)", map[string]any{"Done": len(w.order) - pending, "Total": len(w.order)})
	case failed > 0 && warned > 0:
		text, imp = lang.L("{{.Problems}} found and {{.Warnings}}: see what to do under each one below.", map[string]any{
			"Problems": lang.N("{{.Count}} problems", failed, map[string]any{"Count": failed}),
			"Warnings": lang.N("{{.Count}} warnings", warned, map[string]any{"Count": warned}),
		}), widget.DangerImportance
	case failed > 0:
		text, imp = lang.N("{{.Count}} problems found: see what to do under each one below.", failed, map[string]any{"Count": failed}), widget.DangerImportance
	case warned > 0:
		text, imp = lang.N("Calls should work; {{.Count}} warnings below.", warned, map[string]any{"Count": warned}), widget.WarningImportance
	default:
		text, imp = lang.L("Everything a call needs works."), widget.SuccessImportance
	}
	w.overall.Importance = imp
	w.overall.SetText(text)
}

// lines is the latest verdicts, for the bundle. Fyne thread only.
func (w *selfTestWindow) lines() []CheckLine {
	out := make([]CheckLine, 0, len(w.order))
	for _, id := range w.order {
		if l := w.rows[id].line; l.Verdict != VerdictPending {
			out = append(out, l)
		}
	}
	return out
}

// askSave asks where to save the bundle. Fyne thread only.
func (w *selfTestWindow) askSave() {
	d := dialog.NewFileSave(func(uw fyne.URIWriteCloser, err error) {
		if err != nil {
			w.showNote(lang.L("Could not save the diagnostics: {{.Reason}}", map[string]any{"Reason": errorText(err)}), widget.DangerImportance)
			return
		}
		if uw == nil {
			return // cancelled
		}
		w.saveTo(uw, uw.URI().Path())
	}, w.win)
	d.SetFileName(diagnosticsName(time.Now()))
	d.Show()
}

// saveTo writes the bundle to wc off the Fyne thread and says where it
// went. Fyne thread only.
func (w *selfTestWindow) saveTo(wc io.WriteCloser, where string) {
	last := w.lines()
	w.save.Disable()
	w.m.wg.Add(1)
	go func() {
		defer w.m.wg.Done()
		err := w.st.SaveDiagnostics(wc, last)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		w.m.onUI(func() {
			if w.closed {
				return
			}
			w.save.Enable()
			if err != nil {
				w.showNote(lang.L("Could not save the diagnostics: {{.Reason}}", map[string]any{"Reason": errorText(err)}), widget.DangerImportance)
				return
			}
			w.showNote(lang.L("Diagnostics saved to {{.Path}}. Passwords, tokens and keys are not in it: you can send it to your IT support.", map[string]any{"Path": where}), widget.SuccessImportance)
		})
	}()
}

func (w *selfTestWindow) showNote(text string, imp widget.Importance) {
	w.note.SetText(text)
	w.note.Importance = imp
	w.note.Show()
	w.note.Refresh()
}

// onClosed stops the run. Fyne thread only.
func (w *selfTestWindow) onClosed() {
	w.closed = true
	if w.cancel != nil {
		w.cancel()
	}
	w.m.selfTestWin = nil
}

// diagnosticsName is the bundle's suggested file name.
func diagnosticsName(now time.Time) string {
	return "parley-diagnostics-" + now.Format("20060102-150405") + ".zip"
}
