package gui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/history"
)

// historyPage is how many entries the history window shows per search.
const historyPage = 200

// WithHistory shows the calls store keeps (the caller records them): the
// recent list starts with the last ones and their unseen missed calls,
// and Call → Call history opens all of them, with search, call back and
// clear. Reading and writing the store happens off the Fyne thread.
func WithHistory(store *history.Store) Option {
	return func(c *runConfig) { c.history = store }
}

// recentFromHistory turns stored entries, newest first, into recent-list
// rows, and counts the missed calls not seen yet.
func recentFromHistory(entries []history.Entry) (calls []recentCall, unseenMissed int) {
	for _, e := range entries {
		if e.State != history.StateEnded {
			continue // a call of this run, shown live
		}
		calls = append(calls, recentCall{who: entryWho(e), number: e.Number, kind: entryKind(e), at: e.StartTime})
		if e.Missed() && !e.Seen {
			unseenMissed++
		}
	}
	return calls, unseenMissed
}

// entryKind is the recent-list kind of a stored call.
func entryKind(e history.Entry) callKind {
	switch {
	case e.Outcome == history.OutcomeMissed:
		return kindMissed
	case e.Outcome == history.OutcomeElsewhere:
		return kindAnsweredElsewhere
	case e.Direction == history.DirectionIn && e.Outcome == history.OutcomeRejected:
		return kindDeclined
	case e.Direction == history.DirectionOut && e.AnswerTime.IsZero():
		return kindNotConnected
	case e.Direction == history.DirectionOut:
		return kindOutgoing
	}
	return kindIncoming
}

func entryWho(e history.Entry) string {
	switch {
	case e.DisplayName != "" && e.Number != "" && e.DisplayName != e.Number:
		return e.DisplayName + " (" + e.Number + ")"
	case e.DisplayName != "":
		return e.DisplayName
	case e.Number != "":
		return e.Number
	}
	return lang.L("Unknown caller")
}

// outcomeText says how a stored call ended, in the history window's words.
func outcomeText(e history.Entry) string {
	switch e.Outcome {
	case history.OutcomeAnswered:
		if d := e.Duration(); d > 0 {
			return lang.L("talked {{.Duration}}", map[string]any{"Duration": durationText(d)})
		}
		return lang.L("answered")
	case history.OutcomeMissed:
		return lang.L("missed")
	case history.OutcomeElsewhere:
		return lang.L("answered elsewhere")
	case history.OutcomeRejected:
		if e.Direction == history.DirectionIn {
			return lang.L("declined")
		}
		return lang.L("refused")
	case history.OutcomeBusy:
		return lang.L("busy")
	case history.OutcomeNoAnswer:
		return lang.L("no answer")
	case history.OutcomeCancelled:
		return lang.L("cancelled")
	case history.OutcomeTransferred:
		if e.TransferredTo != "" {
			return lang.L("transferred to {{.Number}}", map[string]any{"Number": e.TransferredTo})
		}
		return lang.L("transferred")
	case history.OutcomeMerged:
		return lang.L("joined a conference")
	case history.OutcomeInterrupted:
		return lang.L("ended unexpectedly")
	case history.OutcomeFailed:
		if e.Reason != "" || e.ReasonCode != "" {
			return lang.L("failed: {{.Reason}}", map[string]any{"Reason": endReasonText(e.ReasonCode, e.SIPStatus, e.Reason)})
		}
		return lang.L("failed")
	}
	if e.State == history.StateInProgress {
		return lang.L("in progress")
	}
	return string(e.Outcome)
}

// entryLine is one row of the history window.
func entryLine(e history.Entry, now time.Time) string {
	way := lang.L("In")
	if e.Direction == history.DirectionOut {
		way = lang.L("Out")
	}
	when := e.StartTime.Local().Format("15:04")
	if y, m, d := e.StartTime.Local().Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		when = e.StartTime.Local().Format(lang.L("2 Jan 15:04"))
	}
	return fmt.Sprintf("%s · %s · %s · %s", way, when, entryWho(e), outcomeText(e))
}

// historyWindow lists the whole call history: on a Wazo line the calls
// this computer recorded and the server's call log (wazo-call-logd) in one
// list, each call once (history.Merge says when two are the same call).
type historyWindow struct {
	m       *MainWindow
	store   *history.Store
	win     fyne.Window
	search  *widget.Entry
	list    *widget.List
	status  *widget.Label
	entries []history.Merged
	// local is the store's answer to query, server the server's call log
	// (fetched when the window opens; nil without a Desk), serverErr its
	// failure in words.
	local     []history.Entry
	server    []history.Entry
	serverErr string
	// query is the search the entries answer; a reply to an older one is
	// dropped.
	query string
}

// serverEntry is a call of the server's log as a history entry (Source
// SourceWazo, id "wazo:<cdr id>"), seen so it never counts as unseen
// missed.
func serverEntry(l desk.LogEntry) history.Entry {
	e := history.Entry{ID: "wazo:" + strconv.Itoa(l.ID), Source: history.SourceWazo, ServerCallID: l.ConversationID,
		Direction: history.DirectionOut, Number: l.Number, DisplayName: l.Name,
		StartTime: l.Start, AnswerTime: l.Answer, EndTime: l.End, Updated: l.End, State: history.StateEnded, Seen: true}
	if l.Incoming {
		e.Direction = history.DirectionIn
	}
	switch {
	case l.Answered:
		e.Outcome = history.OutcomeAnswered
	case l.Incoming:
		e.Outcome = history.OutcomeMissed
	default:
		e.Outcome = history.OutcomeNoAnswer
	}
	return e
}

// callSourceText says where a merged call comes from.
func callSourceText(m history.Merged) string {
	switch {
	case m.Local && m.Server:
		return lang.L("this computer and the server")
	case m.Server:
		return lang.L("server")
	}
	return lang.L("this computer")
}

// matchesQuery is the store's search for a server entry: a part of the
// name (case ignored) or of the number (digits only).
func matchesQuery(e history.Entry, query string) bool {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return true
	}
	if strings.Contains(strings.ToLower(e.DisplayName), q) || strings.Contains(strings.ToLower(e.Number), q) {
		return true
	}
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	dq := digits(q)
	return dq != "" && dq == strings.TrimFunc(q, func(r rune) bool { return r == ' ' }) && strings.Contains(digits(e.Number), dq)
}

// merge shows the local and server calls as one list; Fyne thread only.
func (h *historyWindow) merge() {
	var server []history.Entry
	for _, e := range h.server {
		if matchesQuery(e, h.query) {
			server = append(server, e)
		}
	}
	// A caller the network (or the server's log) did not name may be known
	// to the directory.
	name := func(e history.Entry) history.Entry {
		if c, ok := h.m.directory.named(e.Number); ok && (e.DisplayName == "" || e.DisplayName == e.Number) {
			e.DisplayName = c.Name
		}
		return e
	}
	for i := range server {
		server[i] = name(server[i])
	}
	local := make([]history.Entry, len(h.local))
	for i, e := range h.local {
		local[i] = name(e)
	}
	h.entries = history.Merge(local, server, history.MergeWindow)
	h.list.Refresh()
}

// fetchServer reads the server's call log off the Fyne thread.
func (h *historyWindow) fetchServer() {
	d := h.m.directory
	if d == nil {
		return
	}
	var got []desk.LogEntry
	h.m.run(func(ctx context.Context) error {
		var err error
		got, err = d.log.Recent(ctx, historyPage)
		return err
	}, func(err error) {
		if h.m.historyWin != h {
			return
		}
		h.server, h.serverErr = nil, ""
		if err != nil {
			h.serverErr = lang.L("The server's call history could not be read: {{.Reason}}.", map[string]any{"Reason": causeText(err, desk.ErrCallLogUnavailable)})
		}
		var unnamed []string
		for _, l := range got {
			h.server = append(h.server, serverEntry(l))
			if l.Name == "" {
				unnamed = append(unnamed, l.Number)
			}
		}
		h.merge()
		h.showStatus(nil)
		h.nameUnnamed(unnamed)
	})
}

// nameUnnamed asks the directory for the numbers the server's log gives no
// name, then shows the list again with the names found.
func (h *historyWindow) nameUnnamed(numbers []string) {
	d := h.m.directory
	if d == nil || len(numbers) == 0 {
		return
	}
	var named bool
	h.m.run(func(ctx context.Context) error {
		named = d.nameNumbers(ctx, numbers)
		return nil
	}, func(error) {
		if named && h.m.historyWin == h {
			h.merge()
		}
	})
}

// showHistory opens the history window, or raises it. Fyne thread only.
func (m *MainWindow) showHistory() {
	if m.history == nil {
		m.setNotice(lang.L("Call history is not available on this computer."), widget.WarningImportance)
		return
	}
	if m.historyWin != nil {
		m.historyWin.win.RequestFocus()
		return
	}
	h := &historyWindow{m: m, store: m.history, win: m.app.NewWindow(lang.L("Parley: call history"))}
	h.search = widget.NewEntry()
	h.search.PlaceHolder = lang.L("Search a name or a number")
	h.search.OnChanged = func(q string) { h.load(q) }
	h.status = widget.NewLabel("")
	h.status.Wrapping = fyne.TextWrapWord
	h.list = widget.NewList(
		func() int { return len(h.entries) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			// Where the call comes from (this computer, the server), on a
			// Wazo line only.
			source := widget.NewLabel("")
			source.Importance = widget.LowImportance
			source.Truncation = fyne.TextTruncateEllipsis
			// Every row has the same height: shown or not from the start.
			if h.m.directory == nil {
				source.Hide()
			}
			back := widget.NewButtonWithIcon(lang.L("Call back"), theme.MediaPlayIcon(), nil)
			return container.NewBorder(nil, nil, nil, back, container.NewVBox(label, source))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(h.entries) {
				return
			}
			me := h.entries[i]
			e := me.Entry
			row := o.(*fyne.Container)
			texts, back := row.Objects[0].(*fyne.Container), row.Objects[1].(*widget.Button)
			label, source := texts.Objects[0].(*widget.Label), texts.Objects[1].(*widget.Label)
			label.Importance = widget.MediumImportance
			if e.Missed() {
				label.Importance = widget.DangerImportance
			}
			label.SetText(entryLine(e, time.Now()))
			if h.m.directory != nil {
				text := lang.L("Source: {{.Source}}", map[string]any{"Source": callSourceText(me)})
				if company := h.m.directory.company(e.Number); company != "" {
					text += " · " + company // from a reverse lookup this session
				}
				source.SetText(text)
			}
			number := e.Number
			back.OnTapped = func() { m.callBack(number) }
			if number == "" {
				back.Disable()
			} else {
				back.Enable()
			}
		},
	)
	clear := widget.NewButtonWithIcon(lang.L("Clear history"), theme.DeleteIcon(), h.confirmClear)
	h.win.SetContent(container.NewBorder(
		container.NewVBox(h.search, h.status), clear, nil, nil, h.list))
	h.win.Resize(fyne.NewSize(480, 520))
	h.win.SetOnClosed(func() { m.historyWin = nil })
	m.historyWin = h
	h.win.Show()
	h.win.Canvas().Focus(h.search)
	h.load("")
	h.fetchServer()
	m.markMissedSeen()
}

// load runs the search off the Fyne thread and shows its answer.
func (h *historyWindow) load(query string) {
	h.query = query
	var found []history.Entry
	h.m.run(func(context.Context) error {
		var err error
		if query == "" {
			found, err = h.store.List(0, historyPage)
		} else {
			found, err = h.store.Search(query, historyPage)
		}
		return err
	}, func(err error) {
		if h.m.historyWin != h || h.query != query {
			return // closed, or a newer search is on its way
		}
		h.local = found
		h.merge()
		h.showStatus(err)
	})
}

// showStatus says how many calls are listed, or why the history could
// not be read; Fyne thread only.
func (h *historyWindow) showStatus(err error) {
	n := len(h.entries)
	switch {
	case err != nil:
		h.status.SetText(lang.L("Could not read the call history: {{.Reason}}.", map[string]any{"Reason": errorText(err)}))
		h.status.Importance = widget.DangerImportance
	case n == 0 && h.query != "":
		h.status.SetText(lang.L("No call matches {{.Query}}.", map[string]any{"Query": h.query}))
		h.status.Importance = widget.MediumImportance
	case n == 0:
		h.status.SetText(lang.L("No calls yet."))
		h.status.Importance = widget.MediumImportance
	default:
		h.status.SetText(lang.N("{{.Count}} calls", n, map[string]any{"Count": n}))
		h.status.Importance = widget.LowImportance
	}
	if h.serverErr != "" && err == nil {
		h.status.SetText(h.status.Text + " " + h.serverErr)
		h.status.Importance = widget.WarningImportance
	}
	h.status.Refresh()
}

func (h *historyWindow) confirmClear() {
	dialog.ShowConfirm(lang.L("Clear the call history?"),
		lang.L("Every ended call is removed from this computer. This cannot be undone."),
		func(ok bool) {
			if !ok {
				return
			}
			h.m.run(func(context.Context) error { return h.store.Clear() }, func(err error) {
				if err != nil {
					h.status.SetText(lang.L("Could not clear the call history: {{.Reason}}.", map[string]any{"Reason": errorText(err)}))
					h.status.Importance = widget.DangerImportance
					h.status.Refresh()
					return
				}
				h.m.recent.clear()
				h.m.updateTitle(len(h.m.shown.calls))
				h.load(h.search.Text)
			})
		}, h.win)
}

// loadHistory fills the recent list from the store at start.
func (m *MainWindow) loadHistory() {
	if m.history == nil {
		return
	}
	var entries []history.Entry
	m.run(func(context.Context) error {
		var err error
		entries, err = m.history.List(0, recentLimit)
		return err
	}, func(err error) {
		if err != nil {
			m.setNotice(lang.L("Could not read the call history: {{.Reason}}.", map[string]any{"Reason": errorText(err)}), widget.WarningImportance)
			return
		}
		calls, missed := recentFromHistory(entries)
		m.recent.seed(calls, missed)
		m.updateTitle(len(m.shown.calls))
	})
}

// markMissedSeen records that the agent has seen the missed calls, so the
// next start does not count them again.
func (m *MainWindow) markMissedSeen() {
	m.recent.seen()
	m.updateTitle(len(m.shown.calls))
	if m.history == nil {
		return
	}
	now := time.Now()
	m.run(func(context.Context) error {
		_, err := m.history.MarkSeen(now)
		return err
	}, func(error) {})
}
