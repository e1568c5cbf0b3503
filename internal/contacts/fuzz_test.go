package contacts

import (
	"testing"
	"unicode/utf8"
)

// The parsers read files users pick from anywhere: whatever the bytes, they
// must return (contacts or an error), never panic, and only ever produce
// contacts a Book would accept after cleaning.

var vcardSeeds = []string{
	"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nTEL;TYPE=cell:+33 6 11 22 33 44\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\nVERSION:4.0\nFN:B\nTEL;VALUE=uri:tel:+1-555-0100;ext=1\nIMPP:sip:b@x\nEND:VCARD\n",
	"BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:=C3=89=\n=C3\nTEL;CELL:1\nEND:VCARD\n",
	"BEGIN:VCARD\nFN:\\\nTEL:\"a:b\";x\nEND:VCARD",
	"BEGIN:VCARD\nitem1.TEL:1\nitem1.X-ABLabel:_$!<\nN:;;;;\nEND:VCARD\nEND:VCARD\n",
	"BEGIN:VCARD\n \n\t\nFN;TYPE=\"a,:b\":x\n",
	"=\n=\n=",
	"",
}

var csvSeeds = []string{
	"Name,Phone\nA,1002\n",
	"First Name;Last Name;Mobile Phone\nA;B;06 11 22 33 44\n",
	"Name,Phone 1 - Type,Phone 1 - Value\nA,Mobile,1 ::: 2\n",
	"\xff\xfeN\x00a\x00m\x00e\x00",
	"\"Name,\"Phone\n\"a,\"\"1\n",
	"Name,Phone\n\"unterminated,1\n",
	"Nom;Prénom;Portable\n;;\n",
	"",
}

func checkParsed(t *testing.T, cs []Contact, err error) {
	t.Helper()
	if err != nil && len(cs) > 0 {
		t.Fatalf("both contacts and an error: %v", err)
	}
	for _, c := range cs {
		if c.Name == "" {
			t.Fatalf("contact with no name: %+v", c)
		}
		if len(c.Numbers) == 0 && c.SIP == "" {
			t.Fatalf("contact with nothing to call: %+v", c)
		}
		if !utf8.ValidString(c.Name) {
			t.Fatalf("name is not UTF-8: %q", c.Name)
		}
		for _, n := range c.Numbers {
			if digitsOnly(n.Value) == "" {
				t.Fatalf("number without digits: %q", n.Value)
			}
		}
	}
}

func FuzzParseVCard(f *testing.F) {
	for _, s := range vcardSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, _, err := ParseVCard(data)
		checkParsed(t, cs, err)
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, _, err := ParseCSV(data)
		checkParsed(t, cs, err)
	})
}

// FuzzCanonical: Canonical never panics and is idempotent on what it
// returns, so comparing canonical forms is stable.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"+33 (0)1 23 45 67 89", "0123456789", "sip:a@b", "tel:+1;ext=2", "00", "*98#", "1@", "+"} {
		f.Add(s, "33")
	}
	f.Fuzz(func(t *testing.T, s, cc string) {
		d := Dialling{CountryCode: digitsOnly(cc)}
		c := d.Canonical(s)
		if c2 := d.Canonical(c); c != c2 {
			t.Fatalf("Canonical(%q) = %q but Canonical(%q) = %q", s, c, c, c2)
		}
	})
}
