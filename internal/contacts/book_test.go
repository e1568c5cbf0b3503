package contacts

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openBook(t *testing.T, d Dialling) *Book {
	t.Helper()
	b, err := Open(filepath.Join(t.TempDir(), "parley", "contacts.json"), Config{Dialling: d})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func add(t *testing.T, b *Book, cs ...Contact) []Contact {
	t.Helper()
	var out []Contact
	for _, c := range cs {
		c, err := b.Add(c)
		if err != nil {
			t.Fatalf("Add %q: %v", c.Name, err)
		}
		out = append(out, c)
	}
	return out
}

func names(cs []Contact) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Name)
	}
	return strings.Join(n, "|")
}

func TestBookPersistsAndSorts(t *testing.T) {
	b := openBook(t, Dialling{})
	added := add(t, b,
		Contact{Name: "Zoé Martin", Numbers: []Number{{Label: "mobile", Value: "06 12 34 56 78"}}, Company: "ACME", Note: "VIP", Emails: []string{"zoe@example.com"}},
		Contact{Name: "  émile Durand ", Numbers: []Number{{Value: "+33 1 23 45 67 89"}, {Value: " "}}},
		Contact{Name: "Bob", SIP: "bob@pbx.example"},
	)
	if added[1].Name != "émile Durand" || len(added[1].Numbers) != 1 {
		t.Errorf("not cleaned: %+v", added[1])
	}
	if added[2].SIP != "sip:bob@pbx.example" {
		t.Errorf("SIP = %q", added[2].SIP)
	}
	// Sorted by name, accents and case ignored.
	if got := names(b.All()); got != "Bob|émile Durand|Zoé Martin" {
		t.Errorf("All = %s", got)
	}

	reopened, err := Open(b.Path(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(reopened.All()); got != "Bob|émile Durand|Zoé Martin" {
		t.Errorf("after reopen: %s", got)
	}
	z, err := reopened.Get(added[0].ID)
	if err != nil || z.Company != "ACME" || z.Note != "VIP" || z.Numbers[0].Label != "mobile" || z.Emails[0] != "zoe@example.com" {
		t.Errorf("Get = %+v, %v", z, err)
	}
	if fi, err := os.Stat(b.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("contacts file mode: %v %v", fi.Mode(), err)
	}

	z.Name = "Zoé Bernard"
	if _, err := b.Update(z); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(added[2].ID); err != nil {
		t.Fatal(err)
	}
	if got := names(b.All()); got != "émile Durand|Zoé Bernard" {
		t.Errorf("after update and delete: %s", got)
	}
	if err := b.Clear(); err != nil || b.Len() != 0 {
		t.Errorf("Clear: %v, %d left", err, b.Len())
	}
	reopened, _ = Open(b.Path(), Config{})
	if reopened.Len() != 0 {
		t.Errorf("Clear not saved")
	}
}

func TestBookRejects(t *testing.T) {
	b := openBook(t, Dialling{})
	tests := []struct {
		c    Contact
		want error
	}{
		{Contact{Name: " "}, ErrNoName},
		{Contact{Name: "X", Numbers: []Number{{Value: "call me"}}}, ErrInvalidNumber},
		{Contact{Name: "X", Numbers: []Number{{Value: "support"}}}, ErrInvalidNumber},
		{Contact{Name: "X", Numbers: []Number{{Value: "12\n34"}}}, ErrInvalidNumber},
	}
	for _, tt := range tests {
		if _, err := b.Add(tt.c); !errors.Is(err, tt.want) {
			t.Errorf("Add(%+v) = %v, want %v", tt.c, err, tt.want)
		}
	}
	if _, err := b.Add(Contact{Name: "X", SIP: "sip:a b@c"}); err == nil {
		t.Error("a SIP address with a space was accepted")
	}
	if _, err := b.Update(Contact{ID: "nope", Name: "X"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update unknown: %v", err)
	}
	if err := b.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete unknown: %v", err)
	}
	if _, err := b.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("%d contacts after only failures", b.Len())
	}
}

func TestOpenDamagedOrNewer(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"damaged": "{not json",
		"newer":   `{"version": 99, "contacts": []}`,
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p, Config{}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: Open = %v, want an error naming the file", name, err)
		}
	}
}

func TestSearch(t *testing.T) {
	b := openBook(t, Dialling{CountryCode: "33"})
	add(t, b,
		Contact{Name: "Hélène Dupont", Numbers: []Number{{Label: "work", Value: "01 23 45 67 89"}, {Label: "mobile", Value: "06 11 22 33 44"}}},
		Contact{Name: "Marc Hélie", Numbers: []Number{{Value: "+33 6 98 76 54 32"}}, Company: "Dupont & Fils"},
		Contact{Name: "Support", Numbers: []Number{{Value: "1002"}}},
		Contact{Name: "Alice", SIP: "sip:alice@pbx.example"},
		Contact{Name: "Noël Leduc", Numbers: []Number{{Value: "0912345678"}}},
	)
	tests := []struct {
		q    string
		want string // name:number|…
	}{
		{"hel", "Hélène Dupont:|Marc Hélie:"},    // prefix beats word prefix
		{"HÉLIE", "Marc Hélie:"},                 // case and accents
		{"dupont", "Hélène Dupont:|Marc Hélie:"}, // name word beats company
		{"noel", "Noël Leduc:"},
		{"+33 1 23 45 67 89", "Hélène Dupont:01 23 45 67 89"}, // same line, other form
		{"0123456789", "Hélène Dupont:01 23 45 67 89"},
		{"0611", "Hélène Dupont:06 11 22 33 44"}, // digits prefix, formatting ignored
		{"0698", "Marc Hélie:+33 6 98 76 54 32"}, // national prefix of an international number
		{"1002", "Support:1002"},
		{"1", "Support:1002|Hélène Dupont:01 23 45 67 89|Noël Leduc:0912345678"},
		{"alice", "Alice:"},
		{"pbx.ex", "Alice:"},
		{"nobody", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range b.Search(tt.q, 0) {
			got = append(got, h.Contact.Name+":"+h.Number.Value)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("Search(%q) = %s\n want %s", tt.q, g, tt.want)
		}
	}
	if hits := b.Search("1", 2); len(hits) != 2 {
		t.Errorf("limit 2: %d hits", len(hits))
	}
}

func TestLookup(t *testing.T) {
	people := []Contact{
		{Name: "Hélène", Numbers: []Number{{Label: "work", Value: "01 23 45 67 89"}}},
		{Name: "London", Numbers: []Number{{Value: "+44 20 7946 0000"}}},
		{Name: "Support", Numbers: []Number{{Value: "1002"}}},
		{Name: "Alice", SIP: "sip:alice@pbx.example"},
		{Name: "Twin A", Numbers: []Number{{Value: "+33 6 11 11 11 11"}}},
		{Name: "Twin B", Numbers: []Number{{Value: "+41 6 11 11 11 11"}}},
	}
	tests := []struct {
		d      Dialling
		number string
		want   string // name:number, "" for none
	}{
		{Dialling{CountryCode: "33"}, "+33123456789", "Hélène:01 23 45 67 89"},
		{Dialling{CountryCode: "33"}, "0033 1 23 45 67 89", "Hélène:01 23 45 67 89"},
		{Dialling{CountryCode: "33"}, "sip:+33123456789@pbx.example;user=phone", "Hélène:01 23 45 67 89"},
		{Dialling{}, "+33123456789", "Hélène:01 23 45 67 89"}, // national vs international, one candidate
		{Dialling{}, "0123456789", "Hélène:01 23 45 67 89"},
		{Dialling{CountryCode: "33"}, "00442079460000", "London:+44 20 7946 0000"},
		{Dialling{CountryCode: "44"}, "020 7946 0000", "London:+44 20 7946 0000"},
		{Dialling{CountryCode: "33"}, "1002", "Support:1002"},
		{Dialling{CountryCode: "33"}, "331002", ""}, // extensions match exactly only
		{Dialling{CountryCode: "33"}, "sip:Alice@PBX.example", "Alice:sip:alice@pbx.example"},
		{Dialling{}, "0611111111", ""},                                          // two countries fit: no guess
		{Dialling{CountryCode: "33"}, "0611111111", "Twin A:+33 6 11 11 11 11"}, // the country settles it
		{Dialling{CountryCode: "33"}, "0699999999", ""},
		{Dialling{CountryCode: "33"}, "", ""},
	}
	for _, tt := range tests {
		b := openBook(t, tt.d)
		add(t, b, people...)
		c, n, ok := b.Lookup(tt.number)
		got := ""
		if ok {
			got = c.Name + ":" + n.Value
		}
		if got != tt.want {
			t.Errorf("%+v Lookup(%q) = %q, want %q", tt.d, tt.number, got, tt.want)
		}
	}
}

func TestImportFileDedupesAndReports(t *testing.T) {
	b := openBook(t, Dialling{CountryCode: "33"})
	vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hélène Dupont\r\nTEL;TYPE=work:01 23 45 67 89\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nobody\r\nTEL:call me\r\nEND:VCARD\r\n"
	rep, err := b.Import(strings.NewReader(vcf))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != FormatVCard || rep.Added != 1 || rep.Duplicates != 0 || len(rep.Problems) != 2 {
		t.Errorf("first import: %+v", rep)
	}
	// The same card again, written internationally: a duplicate.
	again := "BEGIN:VCARD\nVERSION:4.0\nFN:Hélène Dupont\nTEL;VALUE=uri:tel:+33123456789\nEND:VCARD\n"
	rep, err = b.Import(strings.NewReader(again))
	if err != nil || rep.Added != 0 || rep.Duplicates != 1 {
		t.Errorf("second import: %+v %v", rep, err)
	}
	csvData := "Name;Mobile Phone\nMarc;06 98 76 54 32\n"
	rep, err = b.Import(strings.NewReader(csvData))
	if err != nil || rep.Format != FormatCSV || rep.Added != 1 {
		t.Errorf("csv import: %+v %v", rep, err)
	}
	if b.Len() != 2 {
		t.Errorf("%d contacts, want 2", b.Len())
	}
	if c, _, ok := b.Lookup("+33698765432"); !ok || c.Name != "Marc" {
		t.Errorf("imported contact not found by number")
	}
}

func TestImportBadInput(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"too large", append([]byte("BEGIN:VCARD\n"), make([]byte, MaxImportSize)...), ErrTooLarge},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrUnknownFormat},
		{"empty", nil, ErrNoContacts},
		{"csv without name column", []byte("Phone,Email\n0123456789,a@b\n"), ErrNoNameColumn},
		{"csv without phone column", []byte("Name,Email\nBob,a@b\n"), ErrNoPhoneColumn},
		{"vcard without usable card", []byte("BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n"), ErrNoContacts},
		{"vcard-looking text", []byte("hello\nBEGIN:VCARD\n"), ErrNoNameColumn},
	}
	for _, tt := range tests {
		b := openBook(t, Dialling{})
		_, err := b.Import(strings.NewReader(string(tt.data)))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d contacts added", tt.name, b.Len())
		}
		if _, statErr := os.Stat(b.Path()); statErr == nil {
			t.Errorf("%s: a failed import wrote the file", tt.name)
		}
	}
}

func ExampleBook_Lookup() {
	dir, _ := os.MkdirTemp("", "contacts")
	defer os.RemoveAll(dir)
	b, _ := Open(filepath.Join(dir, "contacts.json"), Config{Dialling: Dialling{CountryCode: "33"}})
	_, _ = b.Add(Contact{Name: "Hélène", Numbers: []Number{{Label: "work", Value: "01 23 45 67 89"}}})
	c, n, ok := b.Lookup("+33 1 23 45 67 89")
	fmt.Println(c.Name, n.Label, ok)
	// Output: Hélène work true
}

// zeros is a reader of n bytes of 'x' that never holds them all in memory.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	z.n -= k
	return k, nil
}

func TestImportFiftyMegabytes(t *testing.T) {
	b := openBook(t, Dialling{})
	r := &zeros{n: 50 << 20}
	_, err := b.Import(r)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "MB") {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if left := r.n; left < 30<<20 {
		t.Errorf("read %d MB before refusing", (50<<20-left)>>20)
	}
}
