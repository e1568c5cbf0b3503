package gui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/internal/contacts"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/history"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// deskStandIn is the window on a real Wazo line signed in to the demo
// stand-in, with the line's Desk and a real local history the recorder
// fills from the phone's events, as parley -demo runs it.
type deskStandIn struct {
	*fixture
	demo  *demo.Demo
	line  *wazoline.Line
	store *history.Store
	desk  *desk.Desk
}

func newDeskStandIn(t *testing.T) *deskStandIn {
	t.Helper()
	ctx, d, line := demoLine(t)
	dk := desk.New(line)
	t.Cleanup(dk.Close)
	store, err := history.Open(filepath.Join(t.TempDir(), "history.db"), history.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	rctx, rcancel := context.WithCancel(ctx)
	wait := history.NewRecorder(store, history.RecorderConfig{}).Start(rctx, line.API())
	t.Cleanup(func() { rcancel(); wait() })
	book, err := contacts.Open(filepath.Join(t.TempDir(), "contacts.json"), contacts.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book.Add(contacts.Contact{Name: "Bruno Local", Numbers: []contacts.Number{{Value: "0600000001"}}}); err != nil {
		t.Fatal(err)
	}
	f := newRealFixture(t, line.API(), WithDesk(dk), WithHistory(store), WithContacts(book))
	s := &deskStandIn{fixture: f, demo: d, line: line, store: store, desk: dk}
	s.waitUntil("registered", func() bool { return strings.HasPrefix(f.m.registration.label.Text, "Registered") })
	return s
}

func (s *deskStandIn) cardFrom(number string) *incomingCard {
	for _, cs := range s.m.shown.calls {
		if cs.Number == number && cs.Status == phone.StatusIncoming {
			return s.m.incoming.cards[cs.ID()]
		}
	}
	return nil
}

func suggestionTexts(s *suggestions) []string {
	var out []string
	for _, o := range s.box.Objects {
		switch w := o.(type) {
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Label:
			out = append(out, w.Text)
		}
	}
	return out
}

// TestDirectoryInTheWindow: typing in the number box proposes the company
// directory's contacts with their source once typing pauses; a bot
// calling shows its name and company (reverse lookup) on the ringing card;
// the call, answered and hung up, is once in the history window, beside
// the server's older calls; with wazo-dird down the proposals say so in
// words and the local contacts are still proposed, first.
func TestDirectoryInTheWindow(t *testing.T) {
	s := newDeskStandIn(t)

	s.ui.do(func() { test.Type(s.m.dialer.entry, "mart") })
	s.waitUntil("the directory's proposal", func() bool {
		for _, text := range suggestionTexts(s.m.suggest) {
			if text == "Favourite · Hélène Martin · 0123456789" {
				return true
			}
		}
		return false
	})
	s.ui.do(func() { s.m.dialer.entry.SetText("") })

	if _, err := s.demo.RingMe("1001"); err != nil {
		t.Fatal(err)
	}
	s.waitUntil("Tone Bot's company on the ringing card", func() bool {
		card := s.cardFrom("1001")
		return card != nil && card.company.Visible() && card.company.Text == "Parley Test Lab" && strings.Contains(card.caller.Text, "Tone Bot")
	})
	var id string
	s.ui.do(func() {
		for cid := range s.m.incoming.cards {
			id = cid
		}
		s.m.answerFromCard(id)
	})
	s.waitUntil("talking to Tone Bot, here and on the server", func() bool {
		cs, ok := s.line.API().Session(id)
		return ok && cs.Status == phone.StatusEstablished && cs.Call != nil && len(cs.Call.TalkingToIDs()) > 0
	})
	if err := s.line.API().Hangup(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	s.waitUntil("the call in the server's log", func() bool { return len(s.demo.Stack().CDRs()) == 4 })
	s.waitUntil("the call in the local history", func() bool {
		got, _ := s.store.List(0, 10)
		return len(got) == 1 && got[0].State == history.StateEnded
	})

	s.ui.do(s.m.showHistory)
	s.waitUntil("the merged history: the call once, the server's three others", func() bool {
		h := s.m.historyWin
		if h == nil || len(h.server) != 4 || len(h.entries) != 4 {
			return false
		}
		top := h.entries[0]
		return top.Local && top.Server && top.Entry.Number == "1001" && !h.entries[1].Local && h.entries[1].Server
	})
	s.waitUntil("the server's unnamed caller named by the directory", func() bool {
		for _, m := range s.m.historyWin.entries {
			if m.Entry.Number == "0611223344" {
				return m.Entry.DisplayName == "Hélène Martin"
			}
		}
		return false
	})
	s.ui.do(func() {
		h := s.m.historyWin
		line := entryLine(h.entries[0].Entry, time.Now()) + " · " + callSourceText(h.entries[0])
		if !strings.Contains(line, "Tone Bot") || !strings.HasSuffix(line, "this computer and the server") {
			t.Errorf("the merged row: %q", line)
		}
		if got := callSourceText(h.entries[1]); got != "server" {
			t.Errorf("a server-only row's source: %q", got)
		}
		h.win.Close()
	})

	s.demo.Stack().SetDirdDown(true)
	s.ui.do(func() { test.Type(s.m.dialer.entry, "bru") })
	s.waitUntil("the directory's failure in words, the local contact first", func() bool {
		texts := suggestionTexts(s.m.suggest)
		return len(texts) == 2 && texts[0] == "Bruno Local · 0600000001" &&
			strings.HasPrefix(texts[1], "The company directory is not available (") && strings.HasSuffix(texts[1], "only your contacts are shown.")
	})
	s.demo.Stack().SetDirdDown(false)
	s.ui.do(func() { s.m.dialer.entry.SetText("brun") })
	s.waitUntil("local first, then the directory", func() bool {
		texts := suggestionTexts(s.m.suggest)
		// The demo's colleagues are in the directory too (Bruno Lefèvre).
		return len(texts) >= 2 && texts[0] == "Bruno Local · 0600000001" && slices.Contains(texts[1:], "Directory · Bruno Petit · Globex · 0499887766")
	})
}

// TestDirectoryInTheContactsWindow: the contacts window lists the
// directory's matches after the local contacts, and its Favourite box
// adds the contact to the favourites on the server and removes it.
func TestDirectoryInTheContactsWindow(t *testing.T) {
	s := newDeskStandIn(t)
	s.ui.do(func() {
		s.m.showContacts()
		s.m.contactsWin.search.SetText("bruno")
	})
	s.waitUntil("the local contact, then Bruno Petit from the directory", func() bool {
		w := s.m.contactsWin
		if w == nil || len(w.shown) != 1 || w.shown[0].Name != "Bruno Local" {
			return false
		}
		i := slices.IndexFunc(w.dir, func(c desk.Contact) bool { return c.Name == "Bruno Petit" })
		return i >= 0 && !w.dir[i].Favorite
	})
	favourites := func() []string {
		favs, err := s.desk.Directory().Favorites(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range favs {
			names = append(names, f.Name)
		}
		return names
	}
	bruno := func() int { // the demo's colleagues are in the directory too
		return slices.IndexFunc(s.m.contactsWin.dir, func(c desk.Contact) bool { return c.Name == "Bruno Petit" })
	}
	s.ui.do(func() { s.m.contactsWin.setFavourite(bruno(), true) })
	s.waitUntil("Bruno a favourite", func() bool {
		i := bruno()
		return i >= 0 && s.m.contactsWin.dir[i].Favorite && s.m.contactsWin.dir[i].Kind == desk.KindFavourite
	})
	if got := favourites(); len(got) != 3 || !slices.Contains(got, "Bruno Petit") {
		t.Errorf("favourites on the server after adding: %v", got)
	}
	s.ui.do(func() { s.m.contactsWin.setFavourite(bruno(), false) })
	s.waitUntil("Bruno no longer a favourite", func() bool { i := bruno(); return i >= 0 && !s.m.contactsWin.dir[i].Favorite })
	if got := favourites(); len(got) != 2 || slices.Contains(got, "Bruno Petit") {
		t.Errorf("favourites on the server after removing: %v", got)
	}
}
