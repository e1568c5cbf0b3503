package wazo

import (
	"errors"
	"net/http"
	"testing"

	"github.com/parley-voip/parley/internal/wazostandin"
)

func dirdEnv(t *testing.T) (*env, *Client) {
	t.Helper()
	e := newEnv(t, nil)
	e.stack.AddPhonebook(
		wazostandin.PhonebookEntry{ID: "c1", Firstname: "Hélène", Lastname: "Martin", Company: "Acme", Number: "0123456789", Mobile: "0611223344"},
		wazostandin.PhonebookEntry{ID: "c2", Firstname: "Bruno", Lastname: "Petit", Company: "Globex", Number: "0499887766"},
	)
	e.stack.AddPersonalContact(aliceUUID, wazostandin.PersonalContact{ID: "p1", Firstname: "Mum", Number: "0655555555"})
	e.stack.AddFavorite(aliceUUID, "phonebook", "c2")
	return e, e.login()
}

// TestDirectoryLookup: a lookup's results read through the display's
// column types: name, company, numbers with their column titles, the
// favourite flag, source and entry id; a personal contact is personal.
func TestDirectoryLookup(t *testing.T) {
	_, c := dirdEnv(t)
	for _, tc := range []struct {
		term    string
		want    []string // names
		company string
	}{
		{"mart", []string{"Hélène Martin"}, "Acme"},
		{"glob", []string{"Bruno Petit"}, "Globex"},
		{"alice", []string{"Alice Agent"}, ""},
		{"mum", []string{"Mum"}, ""},
		{"nobody", nil, ""},
	} {
		res, err := c.DirectoryLookup(ctx(t), DefaultDirectoryProfile, tc.term)
		if err != nil {
			t.Fatalf("%s: %v", tc.term, err)
		}
		got := res.Entries()
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d entries %+v, want %v", tc.term, len(got), got, tc.want)
		}
		for i, g := range got {
			if g.Name != tc.want[i] || g.Company != tc.company {
				t.Errorf("%s: entry %+v, want %s of %q", tc.term, g, tc.want[i], tc.company)
			}
		}
	}
	res, _ := c.DirectoryLookup(ctx(t), DefaultDirectoryProfile, "martin")
	h := res.Entries()[0]
	if len(h.Numbers) != 2 || h.Numbers[0] != (DirectoryNumber{"Numéro", "0123456789"}) || h.Numbers[1].Label != "Mobile" ||
		h.Source != "phonebook" || h.EntryID != "c1" || h.Favorite || h.Personal {
		t.Errorf("Hélène: %+v", h)
	}
	res, _ = c.DirectoryLookup(ctx(t), DefaultDirectoryProfile, "petit")
	if b := res.Entries()[0]; !b.Favorite {
		t.Errorf("Bruno is a favourite: %+v", b)
	}
	res, _ = c.DirectoryLookup(ctx(t), DefaultDirectoryProfile, "mum")
	if m := res.Entries()[0]; !m.Personal || m.Source != "personal" {
		t.Errorf("Mum is personal: %+v", m)
	}
	if _, err := c.DirectoryLookup(ctx(t), "nosuch", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown profile: %v, want ErrNotFound", err)
	}
}

// TestDirectoryReverseAndFavorites: reverse names a number (and says
// nothing for an unknown one); favourites are added, listed, refused twice
// (409) and removed.
func TestDirectoryReverseAndFavorites(t *testing.T) {
	e, c := dirdEnv(t)
	r, err := c.DirectoryReverseLookup(ctx(t), DefaultDirectoryProfile, aliceUUID, "0611223344")
	if err != nil || r.Display == nil || *r.Display != "Hélène Martin" || r.Fields["company"] != "Acme" || r.Source == nil || *r.Source != "phonebook" {
		t.Fatalf("reverse: %+v %v", r, err)
	}
	r, err = c.DirectoryReverseLookup(ctx(t), DefaultDirectoryProfile, aliceUUID, "0000")
	if err != nil || r.Display != nil || r.Source != nil {
		t.Fatalf("reverse of an unknown number: %+v %v", r, err)
	}
	if err := c.SetDirectoryFavorite(ctx(t), "phonebook", "c1", true); err != nil {
		t.Fatal(err)
	}
	var api *APIError
	if err := c.SetDirectoryFavorite(ctx(t), "phonebook", "c1", true); !errors.As(err, &api) || api.Status != http.StatusConflict {
		t.Errorf("second add: %v, want 409", err)
	}
	favs, err := c.DirectoryFavorites(ctx(t), DefaultDirectoryProfile)
	if err != nil || len(favs.Entries()) != 2 {
		t.Fatalf("favourites: %+v %v", favs, err)
	}
	for _, f := range favs.Entries() {
		if !f.Favorite {
			t.Errorf("listed favourite not flagged: %+v", f)
		}
	}
	if err := c.SetDirectoryFavorite(ctx(t), "phonebook", "c1", false); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDirectoryFavorite(ctx(t), "phonebook", "c1", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an absent favourite: %v, want ErrNotFound", err)
	}
	if err := c.SetDirectoryFavorite(ctx(t), "nosource", "c1", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
	pers, err := c.PersonalContacts(ctx(t))
	if err != nil || len(pers) != 1 || pers[0]["firstname"] != "Mum" || pers[0]["id"] != "p1" {
		t.Fatalf("personal: %v %v", pers, err)
	}
	e.stack.SetDirdDown(true)
	_, err = c.DirectoryLookup(ctx(t), DefaultDirectoryProfile, "x")
	if !errors.Is(err, ErrServer) {
		t.Errorf("dird down: %v, want ErrServer", err)
	}
}
