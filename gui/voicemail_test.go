package gui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// wavPlayer is a SoundPlayer that keeps what it was given.
type wavPlayer struct {
	mu     sync.Mutex
	played [][]byte
}

func (p *wavPlayer) PlayWAV(wav []byte) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.played = append(p.played, wav)
	return 50 * time.Millisecond, nil
}

func (p *wavPlayer) StopPlaying() {}

func (p *wavPlayer) last() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.played) == 0 {
		return nil
	}
	return p.played[len(p.played)-1]
}

// voicemailStandIn is the window on the real engine signed in to the demo
// stand-in, with the line's Desk.
func voicemailStandIn(t *testing.T, player SoundPlayer) (*fixture, *demo.Demo, *wazoline.Line) {
	t.Helper()
	_, d, line := demoLine(t)
	dk := desk.New(line)
	t.Cleanup(dk.Close)
	f := newRealFixture(t, line.API(), WithDesk(dk), WithSoundPlayer(player))
	f.waitUntil("registered", func() bool { return strings.HasPrefix(f.m.registration.label.Text, "Registered") })
	return f, d, line
}

// TestVoicemailWindowOnTheStandIn: the indicator counts the new messages
// from the server (the demo's one, then a message left meanwhile), the
// window lists them, Play hands the player the message's own audio and
// marks it read, Mark read and Delete follow the server.
func TestVoicemailWindowOnTheStandIn(t *testing.T) {
	player := &wavPlayer{}
	f, d, _ := voicemailStandIn(t, player)
	f.waitUntil("the indicator with the demo's new message", func() bool {
		return f.m.vm.indicator.Visible() && f.m.vm.indicator.Text == "1 new voicemail message"
	})
	if err := d.LeaveVoicemail("Customer", "5550100", 2*time.Second, 1477); err != nil {
		t.Fatal(err)
	}
	f.waitUntil("two new messages", func() bool { return f.m.vm.indicator.Text == "2 new voicemail messages" })
	f.ui.do(func() { test.Tap(f.m.vm.indicator) })
	f.waitUntil("the window lists three messages", func() bool {
		w := f.m.vm.win
		return w != nil && len(w.msgs) == 3 && w.status.Text == "3 messages, 2 new"
	})
	var newest, older desk.VoicemailMessage
	f.ui.do(func() {
		w := f.m.vm.win
		newest, older = w.msgs[0], w.msgs[1]
		if newest.CallerNumber != "5550100" || !newest.Unread || voicemailCaller(newest) != "Customer (5550100)" {
			t.Errorf("newest first: %+v", newest)
		}
		if got := voicemailMeta(newest, time.Now()); !strings.HasPrefix(got, "New · ") || !strings.HasSuffix(got, " · 0:02") {
			t.Errorf("row meta %q", got)
		}
		w.play(newest)
	})
	f.waitUntil("played and marked read", func() bool { return player.last() != nil && f.m.vm.unread == 1 })
	rate, pcm, err := dsp.ReadWAV(player.last())
	if err != nil {
		t.Fatal(err)
	}
	if hz := dsp.DominantFrequency(pcm[rate/2:rate], rate); hz < 1470 || hz > 1484 {
		t.Fatalf("the player got a %.0f Hz message, want the 1477 Hz one left", hz)
	}
	if lvl := dsp.RMSdBFS(pcm[rate/2 : rate]); lvl < -18 || lvl > -12 {
		t.Fatalf("message level %.1f dBFS", lvl)
	}
	if !older.Unread {
		t.Fatalf("the demo's message should still be new: %+v", older)
	}
	f.ui.do(func() { f.m.vm.win.markRead(older.ID) })
	f.waitUntil("no new messages", func() bool {
		return f.m.vm.unread == 0 && f.m.vm.indicator.Text == "Voicemail: no new messages" && f.m.vm.win.status.Text == "3 messages, 0 new"
	})
	f.ui.do(func() { f.m.vm.win.deleteMessage(newest) })
	f.waitUntil("two messages left", func() bool { return len(f.m.vm.win.msgs) == 2 })
	f.ui.do(func() { f.m.vm.win.deleteMessage(newest) })
	f.waitUntil("deleting it again is refused in words", func() bool {
		return strings.Contains(f.m.vm.win.status.Text, "no longer exists")
	})
}

// TestRecordingControlsOnTheStandIn: Record, the shortcut's pause, Resume
// and Stop on the active call, the badge following the server's state.
func TestRecordingControlsOnTheStandIn(t *testing.T) {
	f, d, line := voicemailStandIn(t, nil)
	f.ui.do(func() {
		keys := map[string]bool{}
		for _, sc := range f.m.shortcuts() {
			keys[shortcutText(sc)] = true
		}
		if !keys[shortcutModifierName+"+Shift+R"] || !keys[shortcutModifierName+"+Shift+V"] {
			t.Errorf("the desk's shortcuts are missing: %v", keys)
		}
	})
	if _, err := d.RingMe("1001"); err != nil {
		t.Fatal(err)
	}
	var id string
	f.waitUntil("the call rings", func() bool {
		for _, cs := range f.m.shown.calls {
			if cs.Status == phone.StatusIncoming {
				id = cs.ID()
				return true
			}
		}
		return false
	})
	f.ui.do(f.m.answerRinging)
	f.waitUntil("answered, known to the server, Record usable", func() bool {
		r := f.row(id)
		return r != nil && r.recStart != nil && usable(r.recStart)
	})
	badge := func(text string) func() bool {
		return func() bool { r := f.row(id); return r.recBadge.Visible() == (text != "") && r.recBadge.Text == text }
	}
	f.tap(func() *widget.Button { return f.row(id).recStart })
	f.waitUntil("the Recording badge", badge("● Recording"))
	f.ui.do(f.m.toggleRecordingPause) // Ctrl+Shift+R
	f.waitUntil("Recording paused", badge("Recording paused"))
	if cs, _ := line.API().Session(id); cs.Recording || !cs.RecordingPaused {
		t.Fatalf("engine after pause: %+v", cs)
	}
	f.tap(func() *widget.Button { return f.row(id).recRes })
	f.waitUntil("recording again", badge("● Recording"))
	f.tap(func() *widget.Button { return f.row(id).recStop })
	f.waitUntil("no badge", badge(""))
	f.ui.do(f.m.toggleRecordingPause)
	f.waitUntil("the shortcut says there is nothing to pause", func() bool {
		return f.m.notice.Visible() && strings.Contains(f.m.notice.Text, "not being recorded")
	})
}
