package contacts

import "testing"

func TestCanonical(t *testing.T) {
	fr := Dialling{CountryCode: "33"}
	us := Dialling{CountryCode: "1"}
	it := Dialling{CountryCode: "39", TrunkPrefix: "-"}
	none := Dialling{}
	tests := []struct {
		d    Dialling
		in   string
		want string
	}{
		{fr, "+33 1 23 45 67 89", "+33123456789"},
		{fr, "+33 (0)1 23 45 67 89", "+33123456789"},
		{fr, "0033 1 23 45 67 89", "+33123456789"},
		{fr, "01 23 45 67 89", "+33123456789"},
		{fr, "01.23.45.67.89", "+33123456789"},
		{fr, "tel:+33-1-23-45-67-89;ext=12", "+33123456789"},
		{fr, "sip:0123456789@pbx.example", "+33123456789"},
		{fr, "1002", "1002"}, // extension
		{fr, "3615", "3615"}, // short code
		{fr, "*98#", "*98#"}, // service code
		{fr, "+44 20 7946 0000", "+442079460000"},
		{fr, "sip:Alice@Example.com", "sip:alice@example.com"},
		{fr, "alice@example.com", "sip:alice@example.com"},
		{fr, "", ""},
		{fr, "no digits", ""},
		{us, "(555) 010-0199", "+15550100199"}, // NANP, no trunk written
		{us, "1 555 010 0199", "+15550100199"}, // with the trunk 1
		{us, "011 33 1 23 45 67 89", "+33123456789"},
		{it, "06 1234 5678", "+390612345678"},  // Italy keeps its 0
		{none, "01 23 45 67 89", "0123456789"}, // no country: left national
		{none, "00 33 1 23 45 67 89", "+33123456789"},
	}
	for _, tt := range tests {
		if got := tt.d.Canonical(tt.in); got != tt.want {
			t.Errorf("%+v.Canonical(%q) = %q, want %q", tt.d, tt.in, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	fr := Dialling{CountryCode: "33"}
	none := Dialling{}
	tests := []struct {
		d    Dialling
		a, b string
		want MatchKind
	}{
		{fr, "+33 1 23 45 67 89", "0123456789", MatchExact},
		{none, "+33 1 23 45 67 89", "0123456789", MatchNational},
		{none, "0123456789", "+33 1 23 45 67 89", MatchNational},
		{none, "+44 1 23 45 67 89", "0123456789", MatchNational}, // no country: cannot tell
		{fr, "+44 1 23 45 67 89", "0123456789", MatchNone},       // a national number is French
		{none, "+33123456789", "+44123456789", MatchNone},
		{none, "1002", "+331002", MatchNone}, // extensions only match exactly
		{none, "1002", "10 02", MatchExact},
		{none, "0123456789", "0623456789", MatchNone},
		{none, "", "", MatchNone},
	}
	for _, tt := range tests {
		if got := tt.d.Match(tt.a, tt.b); got != tt.want {
			t.Errorf("%+v.Match(%q, %q) = %v, want %v", tt.d, tt.a, tt.b, got, tt.want)
		}
	}
}
