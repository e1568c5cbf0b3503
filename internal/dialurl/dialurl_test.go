package dialurl

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		link, want string
		err        error
	}{
		{"sip:1002@pbx", "sip:1002@pbx", nil},
		{"SIP:1002@pbx.example.com", "sip:1002@pbx.example.com", nil},
		{"sips:alice@example.com", "sips:alice@example.com", nil},
		{"sip://1002@pbx/", "sip:1002@pbx", nil},
		{"sip:1002@pbx?Subject=hi&Replaces=abc", "sip:1002@pbx", nil},
		{"tel:+15550100", "+15550100", nil},
		{"tel:+1-555-0100;ext=12", "+15550100", nil},
		{"tel:%2B33%20(0)1%2023%2045%2067%2089", "+33123456789", nil},
		{"tel:1002;phone-context=example.com", "1002", nil},
		{"callto:1002", "1002", nil},
		{"callto://+4930123456/", "+4930123456", nil},
		{"callto:+4930123456?call", "+4930123456", nil},
		{"  tel:1002  ", "1002", nil},
		{"tel:", "", ErrBadDialURL},
		{"sip:", "", ErrBadDialURL},
		{"callto://", "", ErrBadDialURL},
		{"tel:%zz", "", ErrBadDialURL},
		{"tel:12%0d%0aINVITE", "", ErrBadDialURL},
		{"sip:a%0Ab@pbx", "", ErrBadDialURL},
		{"http://example.com", "", ErrNotDialURL},
		{"1002", "", ErrNotDialURL},
		{"-demo", "", ErrNotDialURL},
		{"", "", ErrNotDialURL},
	}
	for _, c := range cases {
		got, err := Parse(c.link)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Parse(%q) = %q, %v; want error %v", c.link, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", c.link, got, err, c.want)
		}
	}
}

func TestIsDialURL(t *testing.T) {
	for arg, want := range map[string]bool{
		"tel:1": true, "Sip:x@y": true, "sips:x@y": true, "callto:1": true,
		"http://x": false, "1002": false, ":1002": false, "telx:1": false, "C:\\file": false,
	} {
		if got := IsDialURL(arg); got != want {
			t.Errorf("IsDialURL(%q) = %v, want %v", arg, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("tel:+15550100")
	f.Add("sip:1002@pbx?x=y")
	f.Fuzz(func(t *testing.T, link string) {
		got, err := Parse(link)
		if err == nil && got == "" {
			t.Fatalf("Parse(%q) returned an empty target without an error", link)
		}
	})
}
