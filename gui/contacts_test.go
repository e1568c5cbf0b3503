package gui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-voip/parley/internal/contacts"
)

func openBookWith(t *testing.T, cs ...contacts.Contact) *contacts.Book {
	t.Helper()
	book, err := contacts.Open(filepath.Join(t.TempDir(), "contacts.json"), contacts.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if _, err := book.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	return book
}

func TestContactNamesTheCaller(t *testing.T) {
	book := openBookWith(t, contacts.Contact{Name: "Alice Martin", Numbers: []contacts.Number{{Label: "mobile", Value: "+33 6 12 34 56 78"}}})
	f := newFixture(t, WithContacts(book))
	f.e.Ring("0612345678", "") // the network gives no name, and writes the number its own way
	f.waitUntil("the caller named", func() bool { return containsText(f.cardTexts(), "Alice Martin") })
}

func TestNumberBoxProposesContacts(t *testing.T) {
	book := openBookWith(t,
		contacts.Contact{Name: "Alice Martin", Numbers: []contacts.Number{{Label: "work", Value: "1002"}}},
		contacts.Contact{Name: "Bob Stone", Numbers: []contacts.Number{{Value: "1003"}}},
	)
	f := newFixture(t, WithContacts(book))
	f.ui.do(func() { test.Type(f.m.dialer.entry, "ali") })
	f.waitUntil("the proposal", func() bool {
		return f.m.suggest.box.Visible() && len(f.m.suggest.box.Objects) == 1 &&
			f.m.suggest.box.Objects[0].(*widget.Button).Text == "Alice Martin · work 1002"
	})
	f.ui.do(func() { test.Tap(f.m.suggest.box.Objects[0].(*widget.Button)) })
	f.waitForOp("Call 1002")
	f.waitUntil("the proposals gone", func() bool { return !f.m.suggest.box.Visible() })
}

func TestContactsWindowAddEditImport(t *testing.T) {
	book := openBookWith(t)
	f := newFixture(t, WithContacts(book))
	f.ui.do(f.m.showContacts)
	f.waitUntil("the contacts window", func() bool { return f.m.contactsWin != nil })
	w := f.m.contactsWin
	f.ui.do(func() {
		if !strings.HasPrefix(w.status.Text, "No contacts yet") {
			t.Errorf("empty book says %q", w.status.Text)
		}
	})

	// Import a vCard: three contacts (a card with no name is named by its
	// number), and a card with nothing in it left out.
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol Jones\r\nTEL;TYPE=CELL:+44 7700 900123\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dan Brown\r\nTEL;TYPE=WORK:1005\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:1006\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nothing to call\r\nEND:VCARD\r\n"
	f.ui.do(func() { w.importFrom("team.vcf", strings.NewReader(vcf)) })
	f.ui.do(func() {
		texts := f.overlaysOf(w)
		if !containsText(texts, "team.vcf: 3 contacts added.") || !containsText(texts, "1 entry was left out") {
			t.Errorf("import report %q", texts)
		}
		if len(w.shown) != 3 || w.status.Text != "3 contacts" {
			t.Errorf("after the import: %d shown, status %q", len(w.shown), w.status.Text)
		}
	})

	// Search, then call from the window.
	f.ui.do(func() { w.search.SetText("dan") })
	f.ui.do(func() {
		if len(w.shown) != 1 || w.shown[0].Name != "Dan Brown" {
			t.Fatalf("search dan shows %+v", w.shown)
		}
		w.m.callBack(firstNumber(w.shown[0]))
	})
	f.waitForOp("Call 1005")
}

func TestParseNumbers(t *testing.T) {
	got := parseNumbers("mobile: +33 6 12 34 56 78\n1002\n\nsip:alice@example.com\n+44 20 7946 0000")
	want := []contacts.Number{{Label: "mobile", Value: "+33 6 12 34 56 78"}, {Value: "1002"}, {Value: "sip:alice@example.com"}, {Value: "+44 20 7946 0000"}}
	if len(got) != len(want) {
		t.Fatalf("parseNumbers = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if back := numbersText(want[:2]); back != "mobile: +33 6 12 34 56 78\n1002" {
		t.Errorf("numbersText = %q", back)
	}
}

// overlaysOf is every text in w's dialogs. Fyne thread only.
func (f *fixture) overlaysOf(w *contactsWindow) []string {
	var texts []string
	for _, o := range w.win.Canvas().Overlays().List() {
		texts = append(texts, textsIn(o)...)
	}
	return texts
}
