package desk

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-voip/parley/phone"
)

// TestDirectorySearch: a search through the real line reaches the demo's
// wazo-dird: favourites first, with kinds, companies and numbers; a Wazo
// user and a personal contact are found too.
func TestDirectorySearch(t *testing.T) {
	e := newEnv(t)
	dir := e.desk.Directory()
	for _, tc := range []struct {
		term    string
		name    string
		company string
		number  string
		kind    ContactKind
	}{
		{"hél", "Hélène Martin", "Acme Logistique", "0123456789", KindFavourite},
		{"globex", "Bruno Petit", "Globex", "0499887766", KindDirectory},
		{"durand", "Sam Durand", "", "0655512345", KindPersonal},
		{"demo", "Demo User", "", "1000", KindDirectory},
	} {
		got, err := dir.Search(testCtx(t), tc.term)
		if err != nil {
			t.Fatalf("%s: %v", tc.term, err)
		}
		if len(got) == 0 || got[0].Name != tc.name || got[0].Company != tc.company || got[0].FirstNumber() != tc.number || got[0].Kind != tc.kind {
			t.Errorf("%s: %+v, want %s (%s) %s %s", tc.term, got, tc.name, tc.company, tc.number, tc.kind)
		}
	}
	got, err := dir.Search(testCtx(t), "bot")
	if err != nil || len(got) < 3 {
		t.Fatalf("bots: %+v %v", got, err)
	}
	if got, err := dir.Search(testCtx(t), "  "); err != nil || got != nil {
		t.Errorf("blank term: %v %v", got, err)
	}
}

// TestDirectoryFavourites: add and remove through the desk, idempotent.
func TestDirectoryFavourites(t *testing.T) {
	e := newEnv(t)
	dir := e.desk.Directory()
	favs, err := dir.Favorites(testCtx(t))
	if err != nil || len(favs) != 2 {
		t.Fatalf("demo favourites: %+v %v", favs, err)
	}
	bruno, _ := dir.Search(testCtx(t), "bruno")
	for range 2 {
		if err := dir.SetFavorite(testCtx(t), bruno[0], true); err != nil {
			t.Fatal(err)
		}
	}
	if favs, _ = dir.Favorites(testCtx(t)); len(favs) != 3 {
		t.Fatalf("after adding Bruno: %+v", favs)
	}
	if again, _ := dir.Search(testCtx(t), "bruno"); !again[0].Favorite || again[0].Kind != KindFavourite {
		t.Errorf("Bruno is a favourite now: %+v", again)
	}
	for range 2 {
		if err := dir.SetFavorite(testCtx(t), bruno[0], false); err != nil {
			t.Fatal(err)
		}
	}
	if favs, _ = dir.Favorites(testCtx(t)); len(favs) != 2 {
		t.Fatalf("after removing Bruno: %+v", favs)
	}
	if err := dir.SetFavorite(testCtx(t), Contact{Name: "x"}, true); !errors.Is(err, ErrNotFavouritable) {
		t.Errorf("no entry id: %v", err)
	}
}

// TestReverseLookupOfAnIncomingCall: Tone Bot rings the agent's real
// phone; the number the phone shows is named, with its company, by the
// directory.
func TestReverseLookupOfAnIncomingCall(t *testing.T) {
	e := newEnv(t)
	rc, err := e.demo.RingMe("1001")
	if err != nil {
		t.Fatal(err)
	}
	var cs phone.CallSession
	waitFor(t, "the incoming call", func() bool {
		var ok bool
		cs, ok = e.line.Phone().Session(rc.SIPCallID)
		return ok
	})
	c, ok, err := e.desk.Directory().Reverse(testCtx(t), cs.Number)
	if err != nil || !ok || c.Name != "Tone Bot" || c.Company != "Parley Test Lab" {
		t.Fatalf("reverse of %q: %+v %v %v", cs.Number, c, ok, err)
	}
	if _, ok, err := e.desk.Directory().Reverse(testCtx(t), "0999999999"); ok || err != nil {
		t.Errorf("unknown number: %v %v", ok, err)
	}
	_ = e.line.Phone().Reject(testCtx(t), rc.SIPCallID)
}

// TestDirectoryDown: with wazo-dird stopped (nginx's 502), every call
// says so in words and wraps ErrDirectoryUnavailable.
func TestDirectoryDown(t *testing.T) {
	e := newEnv(t)
	e.demo.Stack().SetDirdDown(true)
	dir := e.desk.Directory()
	_, err := dir.Search(testCtx(t), "bot")
	if !errors.Is(err, ErrDirectoryUnavailable) || !strings.Contains(err.Error(), "company directory") {
		t.Errorf("search: %v", err)
	}
	if _, _, err := dir.Reverse(testCtx(t), "1001"); !errors.Is(err, ErrDirectoryUnavailable) {
		t.Errorf("reverse: %v", err)
	}
	e.demo.Stack().SetDirdDown(false)
	if got, err := dir.Search(testCtx(t), "bot"); err != nil || len(got) == 0 {
		t.Errorf("back up: %v %v", got, err)
	}
}
