package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
)

// SoundPlayer plays a recorded message (a voicemail's WAV file) on the
// speaker the calls use; the audio engine is behind it, so the window
// knows nothing of it. Methods may block briefly and are called off the
// Fyne thread.
type SoundPlayer interface {
	// PlayWAV plays wav once, replacing what it played before, and says
	// how long it lasts.
	PlayWAV(wav []byte) (time.Duration, error)
	// StopPlaying stops it.
	StopPlaying()
}

// WithSoundPlayer lets the voicemail window play messages through p.
// Without it the window lists, marks read and deletes, but cannot play.
func WithSoundPlayer(p SoundPlayer) Option { return func(c *runConfig) { c.sound = p } }

// voicemailUI is the window's side of the user's mailbox: the
// message-waiting indicator under the registration line and in the tray,
// and the Voicemail window. Nil on a line without a desk.
type voicemailUI struct {
	m      *MainWindow
	svc    *desk.Voicemail
	player SoundPlayer

	// Fyne thread only.
	indicator *widget.Button
	trayItem  *fyne.MenuItem
	available bool
	unread    int
	win       *voicemailWindow
}

// newVoicemailUI follows the mailbox of d until the window closes; its
// indicator stays hidden until the server says the user has a mailbox.
func newVoicemailUI(m *MainWindow, d *desk.Desk, player SoundPlayer) *voicemailUI {
	v := &voicemailUI{m: m, svc: d.Voicemail(), player: player}
	v.indicator = widget.NewButtonWithIcon(lang.L("Voicemail"), theme.MailComposeIcon(), m.showVoicemail)
	v.indicator.Alignment = widget.ButtonAlignLeading
	v.indicator.Hide()
	v.trayItem = fyne.NewMenuItem(lang.L("Voicemail"), func() {
		if !m.closed {
			m.fromTray()
			m.showVoicemail()
		}
	})
	changes, stop := v.svc.Subscribe()
	v.svc.Start()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer stop()
		for {
			select {
			case <-m.ctx.Done():
				return
			case ev, ok := <-changes:
				if !ok {
					return
				}
				available := v.svc.Available()
				m.onUI(func() {
					if !m.closed {
						v.show(available, ev.Unread)
					}
				})
			}
		}
	}()
	return v
}

// indicatorText is the message-waiting line: the count of new messages.
func indicatorText(unread int) string {
	if unread == 0 {
		return lang.L("Voicemail: no new messages")
	}
	return lang.N("{{.Count}} new voicemail messages", unread, map[string]any{"Count": unread})
}

// show updates the indicator, the tray item and the open window. Fyne
// thread only.
func (v *voicemailUI) show(available bool, unread int) {
	v.available, v.unread = available, unread
	setVisible(v.indicator, available)
	setButtonText(v.indicator, indicatorText(unread))
	importance := widget.LowImportance
	if unread > 0 {
		importance = widget.HighImportance
	}
	if v.indicator.Importance != importance {
		v.indicator.Importance = importance
		v.indicator.Refresh()
	}
	label := lang.L("Voicemail")
	if unread > 0 {
		label = indicatorText(unread)
	}
	if v.trayItem.Label != label {
		v.trayItem.Label = label
		v.m.refreshTrayMenu()
	}
	if v.win != nil {
		v.win.reload()
	}
}

// showVoicemail opens the Voicemail window, or raises it. Fyne thread.
func (m *MainWindow) showVoicemail() {
	v := m.vm
	if v == nil {
		return
	}
	if v.win != nil {
		v.win.win.RequestFocus()
		return
	}
	v.win = newVoicemailWindow(v)
	v.win.win.Show()
	v.win.load()
}

// voicemailWindow lists the messages: who called, when, how long, new or
// not, each with Play, Mark read and Delete.
type voicemailWindow struct {
	v      *voicemailUI
	win    fyne.Window
	status *widget.Label
	list   *widget.List
	stop   *widget.Button
	msgs   []desk.VoicemailMessage
	// playing is the message being played, "" when none; playGen tells a
	// finished playback from a newer one.
	playing string
	playGen int
}

func newVoicemailWindow(v *voicemailUI) *voicemailWindow {
	w := &voicemailWindow{v: v, win: v.m.app.NewWindow(lang.L("Parley: voicemail"))}
	w.status = widget.NewLabel(lang.L("Loading…"))
	w.status.Wrapping = fyne.TextWrapWord
	w.list = widget.NewList(
		func() int { return len(w.msgs) },
		func() fyne.CanvasObject {
			label := widget.NewLabel("")
			label.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("")
			meta.Truncation = fyne.TextTruncateEllipsis
			play := widget.NewButtonWithIcon(lang.L("Play"), theme.MediaPlayIcon(), nil)
			read := widget.NewButtonWithIcon(lang.L("Mark read"), theme.ConfirmIcon(), nil)
			del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(play, read, del), container.NewVBox(label, meta))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(w.msgs) {
				return
			}
			msg := w.msgs[i]
			row := o.(*fyne.Container)
			lines := row.Objects[0].(*fyne.Container).Objects
			label, meta := lines[0].(*widget.Label), lines[1].(*widget.Label)
			buttons := row.Objects[1].(*fyne.Container).Objects
			play, read, del := buttons[0].(*widget.Button), buttons[1].(*widget.Button), buttons[2].(*widget.Button)
			label.TextStyle.Bold = msg.Unread
			label.SetText(voicemailCaller(msg))
			meta.Importance = widget.MediumImportance
			if msg.Unread {
				meta.Importance = widget.HighImportance
			}
			meta.SetText(voicemailMeta(msg, time.Now()))
			play.OnTapped = func() { w.play(msg) }
			setEnabled(play, w.v.player != nil)
			read.OnTapped = func() { w.markRead(msg.ID) }
			setEnabled(read, msg.Unread)
			del.OnTapped = func() { w.confirmDelete(msg) }
		},
	)
	w.stop = widget.NewButtonWithIcon(lang.L("Stop playing"), theme.MediaStopIcon(), w.stopPlaying)
	w.stop.Disable()
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), w.load)
	w.win.SetContent(container.NewBorder(w.status, container.NewGridWithColumns(2, w.stop, refresh), nil, nil, w.list))
	w.win.Resize(fyne.NewSize(680, 420))
	w.win.SetOnClosed(func() {
		w.stopPlaying()
		v.win = nil
	})
	return w
}

// voicemailMeta is a row's second line: "New · 14:05 · 0:03".
func voicemailMeta(msg desk.VoicemailMessage, now time.Time) string {
	when := msg.Time.Local().Format("15:04")
	if y, m, d := msg.Time.Local().Date(); y != now.Year() || m != now.Month() || d != now.Day() {
		when = msg.Time.Local().Format(lang.L("2 Jan 15:04"))
	}
	state := lang.L("Heard")
	if msg.Unread {
		state = lang.L("New")
	}
	return fmt.Sprintf("%s · %s · %s", state, when, durationText(msg.Duration))
}

// summary is the status line over the list.
func voicemailSummary(total, unread int) string {
	if total == 0 {
		return lang.L("No voicemail messages.")
	}
	return lang.N("{{.Count}} messages", total, map[string]any{"Count": total}) + ", " +
		lang.N("{{.Count}} new", unread, map[string]any{"Count": unread})
}

// load fetches the list off the Fyne thread.
func (w *voicemailWindow) load() {
	m := w.v.m
	var msgs []desk.VoicemailMessage
	m.run(func(ctx context.Context) (err error) {
		msgs, err = w.v.svc.Messages(ctx)
		return err
	}, func(err error) {
		if w.v.win != w {
			return
		}
		if err != nil {
			setText(w.status, lang.L("Could not load your voicemail: {{.Error}}", map[string]any{"Error": errorText(err)}))
			w.status.Importance = widget.DangerImportance
			w.status.Refresh()
			return
		}
		w.show(msgs)
	})
}

// reload shows the list as the desk knows it now (after an event), with
// no request. Fyne thread.
func (w *voicemailWindow) reload() { w.show(w.v.svc.Cached()) }

func (w *voicemailWindow) show(msgs []desk.VoicemailMessage) {
	w.msgs = msgs
	unread := 0
	for _, msg := range msgs {
		if msg.Unread {
			unread++
		}
	}
	w.status.Importance = widget.MediumImportance
	w.status.SetText(voicemailSummary(len(msgs), unread))
	w.list.Refresh()
}

// say shows an action's error in the window's status line.
func (w *voicemailWindow) say(err error) {
	if err == nil || w.v.win != w {
		return
	}
	w.status.Importance = widget.DangerImportance
	w.status.SetText(lang.L("Voicemail: {{.Reason}}.", map[string]any{"Reason": errorText(err)}))
}

// play fetches the message's audio, plays it, and marks it read (as
// listening to it on a desk phone does).
func (w *voicemailWindow) play(msg desk.VoicemailMessage) {
	p := w.v.player
	if p == nil {
		return
	}
	w.playGen++
	gen := w.playGen
	var length time.Duration
	w.v.m.run(func(ctx context.Context) error {
		wav, err := w.v.svc.Audio(ctx, msg.ID)
		if err != nil {
			return err
		}
		if length, err = p.PlayWAV(wav); err != nil {
			return fmt.Errorf("%s: %w", lang.L("could not play the message"), err)
		}
		if msg.Unread {
			return w.v.svc.MarkRead(ctx, msg.ID)
		}
		return nil
	}, func(err error) {
		if w.v.win != w || gen != w.playGen {
			return
		}
		if err != nil {
			w.say(err)
			return
		}
		w.playing = msg.ID
		w.stop.Enable()
		w.status.Importance = widget.MediumImportance
		w.status.SetText(lang.L("Playing the message from {{.Caller}}…", map[string]any{"Caller": msg.Caller()}))
		time.AfterFunc(length, func() {
			w.v.m.onUI(func() {
				if w.v.win == w && gen == w.playGen {
					w.playing = ""
					w.stop.Disable()
					w.reload()
				}
			})
		})
	})
}

func (w *voicemailWindow) stopPlaying() {
	w.playGen++
	if w.playing == "" || w.v.player == nil {
		return
	}
	w.playing = ""
	w.stop.Disable()
	p := w.v.player
	w.v.m.run(func(context.Context) error { p.StopPlaying(); return nil }, func(error) {})
	if w.v.win == w {
		w.reload()
	}
}

func (w *voicemailWindow) markRead(id string) {
	w.v.m.run(func(ctx context.Context) error { return w.v.svc.MarkRead(ctx, id) }, w.say)
}

// confirmDelete asks first: a deleted message is gone on the server too.
func (w *voicemailWindow) confirmDelete(msg desk.VoicemailMessage) {
	dialog.ShowConfirm(lang.L("Delete this message?"),
		lang.L("The message from {{.Caller}} will be deleted from your voicemail.", map[string]any{"Caller": voicemailCaller(msg)}),
		func(ok bool) {
			if ok {
				w.deleteMessage(msg)
			}
		}, w.win)
}

// deleteMessage deletes the message (once the user said yes).
func (w *voicemailWindow) deleteMessage(msg desk.VoicemailMessage) {
	if w.playing == msg.ID {
		w.stopPlaying()
	}
	w.v.m.run(func(ctx context.Context) error { return w.v.svc.Delete(ctx, msg.ID) }, w.say)
}

// voicemailCaller is who left the message: "Customer (5550100)".
func voicemailCaller(msg desk.VoicemailMessage) string {
	who := msg.CallerName
	switch {
	case who != "" && msg.CallerNumber != "" && who != msg.CallerNumber:
		who += " (" + msg.CallerNumber + ")"
	case who == "":
		who = msg.CallerNumber
	}
	if who == "" {
		return lang.L("Unknown caller")
	}
	return who
}
