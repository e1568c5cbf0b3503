package contacts

import (
	"strings"

	"github.com/parley-voip/parley/phone"
)

// Dialling says how numbers are written where the user is, so a number
// written nationally ("01 23 45 67 89") and internationally
// ("+33 1 23 45 67 89") are recognised as the same line (ITU-T E.164 §6,
// E.123 §2).
//
// The zero value knows no country: international and national forms are
// then matched by their last digits only (see Match).
type Dialling struct {
	// CountryCode is the user's country calling code without "+": "33" for
	// France, "44" for the UK, "1" for North America.
	CountryCode string
	// TrunkPrefix is dialled before national numbers: "0" in most of
	// Europe (the default when CountryCode is set), "1" in North America
	// (the default for country code 1), "" where there is none (Italy,
	// Spain...: set it to "-" to say "none").
	TrunkPrefix string
	// InternationalPrefix is dialled before a country code: "00" (the
	// default) or "011" in North America (the default for country code 1).
	InternationalPrefix string
}

func (d Dialling) trunk() string {
	switch {
	case d.TrunkPrefix == "-":
		return ""
	case d.TrunkPrefix != "":
		return d.TrunkPrefix
	case d.CountryCode == "1":
		return "1"
	case d.CountryCode != "":
		return "0"
	}
	return "0"
}

func (d Dialling) international() string {
	switch {
	case d.InternationalPrefix != "":
		return d.InternationalPrefix
	case d.CountryCode == "1":
		return "011"
	}
	return "00"
}

// minNational is the fewest digits a number needs to be taken for a
// national number rather than an extension or a short code (E.164 national
// significant numbers are rarely under 6 digits; PBX extensions are 2 to 5).
const minNational = 6

// Canonical returns the form numbers are compared in:
//
//   - a SIP address whose user part is not a number: "sip:user@host",
//     lowercased;
//   - an international number: "+" and its digits ("+33123456789"), from
//     "+33 (0)1 23…", "0033 1 23…", or, when CountryCode is set, a national
//     number "01 23 45 67 89" (trunk prefix replaced by the country code);
//   - anything else (an extension, a short code, a national number with no
//     country configured): its digits (and * #).
//
// It returns "" for a string with nothing to dial.
func (d Dialling) Canonical(raw string) string {
	s := strings.TrimSpace(raw)
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "tel:") {
		s = s[4:]
		if i := strings.IndexByte(s, ';'); i >= 0 { // RFC 3966 parameters (;ext=, ;phone-context=)
			s = s[:i]
		}
	} else if strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:") || strings.Contains(s, "@") {
		user, host := splitSIP(lower)
		if !isDialString(user) || digitsOnly(user) == "" {
			if host == "" {
				return ""
			}
			return "sip:" + user + "@" + host
		}
		s = user
	}
	n, err := phone.NormalizeNumber(s)
	if err != nil || strings.ContainsAny(n, ":@") || !isDialString(n) {
		// Not something the dialler accepts as a number; compare its digits.
		n = dialChars(s)
	}
	if n == "" || n == "+" {
		return ""
	}
	if strings.HasPrefix(n, "+") {
		return n
	}
	if ip := d.international(); strings.HasPrefix(n, ip) && len(n) > len(ip)+minNational-1 {
		return "+" + n[len(ip):]
	}
	if d.CountryCode != "" && !strings.ContainsAny(n, "*#") {
		t := d.trunk()
		switch {
		case t != "" && strings.HasPrefix(n, t) && len(n)-len(t) >= minNational:
			return "+" + d.CountryCode + n[len(t):]
		case t == "" && len(n) >= minNational+2:
			return "+" + d.CountryCode + n
		case d.CountryCode == "1" && len(n) == 10:
			return "+1" + n // NANP numbers are written without the trunk 1
		}
	}
	return n
}

// splitSIP returns the user and host of "sip:user@host;params" (or
// "user@host").
func splitSIP(s string) (user, host string) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "sips:"), "sip:")
	if i := strings.IndexAny(s, ";?>"); i >= 0 {
		s = s[:i]
	}
	user, host, ok := strings.Cut(s, "@")
	if !ok {
		return s, ""
	}
	return user, host
}

// National returns how a canonical number in the user's own country is
// dialled nationally ("+33123456789" → "0123456789"), so typing the national
// form finds a number stored internationally. ok is false for numbers of
// other countries, or when no country is set.
func (d Dialling) National(canon string) (string, bool) {
	if d.CountryCode == "" || !strings.HasPrefix(canon, "+"+d.CountryCode) {
		return "", false
	}
	return d.trunk() + canon[1+len(d.CountryCode):], true
}

// nationalTail returns the national significant number of a number not in
// international form: its digits without the trunk prefix. ok is false for
// international numbers and for numbers too short to be national.
func (d Dialling) nationalTail(canon string) (string, bool) {
	if strings.HasPrefix(canon, "+") || strings.HasPrefix(canon, "sip:") {
		return "", false
	}
	t := d.trunk()
	if t != "" && strings.HasPrefix(canon, t) {
		canon = canon[len(t):]
	}
	return canon, len(canon) >= minNational
}

// Match says how two numbers relate: MatchExact when their canonical forms
// are equal; MatchNational when one is international and the other a
// national number whose significant digits (trunk prefix removed) end the
// international one after a 1-3 digit country code, which is what happens
// when no country is configured ("+33 1 23 45 67 89" and "01 23 45 67 89");
// MatchNone otherwise. Extensions and short codes only ever match exactly.
func (d Dialling) Match(a, b string) MatchKind {
	ca, cb := d.Canonical(a), d.Canonical(b)
	return d.matchCanonical(ca, cb)
}

func (d Dialling) matchCanonical(ca, cb string) MatchKind {
	if ca == "" || cb == "" {
		return MatchNone
	}
	if ca == cb {
		return MatchExact
	}
	if strings.HasPrefix(cb, "+") {
		ca, cb = cb, ca
	}
	if !strings.HasPrefix(ca, "+") {
		return MatchNone
	}
	tail, ok := d.nationalTail(cb)
	if !ok {
		return MatchNone
	}
	intl := ca[1:]
	if cc := len(intl) - len(tail); cc >= 1 && cc <= 3 && strings.HasSuffix(intl, tail) {
		if d.CountryCode != "" && intl[:cc] != d.CountryCode {
			// A national number is in the user's own country.
			return MatchNone
		}
		return MatchNational
	}
	return MatchNone
}

// MatchKind is the strength of a number match.
type MatchKind int

// Match strengths, weakest first.
const (
	MatchNone MatchKind = iota
	MatchNational
	MatchExact
)
