package phone

import (
	"fmt"
	"strings"
	"unicode"
)

// maxNumberLen bounds what we put in a Request-URI. Real dial strings are far
// shorter; a paste of a whole paragraph is a mistake, not a number.
const maxNumberLen = 128

// NormalizeNumber turns what a user typed or pasted into a dial target.
//
// Agents paste numbers from CRMs and e-mails: "+33 (0)1 23-45.67.89",
// "tel:+15550100", "sip:1002@pbx". Visual separators are dropped from phone
// numbers; SIP URIs and extensions with letters are kept as they are, after
// checks that nothing in them can break the SIP message (RFC 3261 §25.1 has no
// room for control characters in a Request-URI).
func NormalizeNumber(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: the number is empty", ErrInvalidNumber)
	}
	if len(s) > maxNumberLen {
		return "", fmt.Errorf("%w: %d characters is too long for a number", ErrInvalidNumber, len(s))
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return "", fmt.Errorf("%w: it contains a line break", ErrInvalidNumber)
		}
		if unicode.IsControl(r) {
			return "", fmt.Errorf("%w: it contains an invisible control character", ErrInvalidNumber)
		}
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "tel:"):
		return NormalizeNumber(s[len("tel:"):])
	case strings.HasPrefix(lower, "sip:"), strings.HasPrefix(lower, "sips:"):
		return normalizeURI(s)
	}
	if strings.Contains(s, "@") {
		return normalizeURI("sip:" + s)
	}
	if strings.HasPrefix(s, "+") {
		s = dropTrunkPrefix(s)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && i == strings.IndexRune(s, '+'):
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '(', r == ')', r == '/', r == '\u00a0':
			// visual separators
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || r == '_'):
			// extensions may be names ("support", "voicemail"): keep the
			// original string, minus spaces, if it is a plain token.
			return normalizeToken(s)
		default:
			return "", fmt.Errorf("%w: %q is not allowed in a number", ErrInvalidNumber, r)
		}
	}
	out := b.String()
	if out == "" || out == "+" {
		return "", fmt.Errorf("%w: %q has no digits", ErrInvalidNumber, s)
	}
	return out, nil
}

func normalizeToken(s string) (string, error) {
	for _, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.!~*'+#", r))
		if !ok {
			return "", fmt.Errorf("%w: %q is not allowed in an extension", ErrInvalidNumber, r)
		}
	}
	return s, nil
}

func normalizeURI(s string) (string, error) {
	if strings.ContainsAny(s, " \t<>\"") {
		return "", fmt.Errorf("%w: a SIP address cannot contain spaces, quotes or angle brackets", ErrInvalidNumber)
	}
	scheme, rest, _ := strings.Cut(s, ":")
	user, host, hasAt := strings.Cut(rest, "@")
	if !hasAt {
		host, user = user, ""
	}
	if h, _, _ := strings.Cut(host, ";"); h == "" {
		return "", fmt.Errorf("%w: the SIP address %q has no host", ErrInvalidNumber, s)
	}
	if hasAt && user == "" {
		return "", fmt.Errorf("%w: the SIP address %q has no user", ErrInvalidNumber, s)
	}
	return strings.ToLower(scheme) + ":" + rest, nil
}

// dropTrunkPrefix removes the "(0)" that international numbers are often
// written with ("+33 (0)1 23 45 67 89", "+44 (0) 20 …"): it is the national
// trunk prefix, dialled only from inside the country, and must not follow a
// country code (ITU-T E.123 §2.5 advises against writing it; E.164 numbers
// never contain it).
func dropTrunkPrefix(s string) string {
	for _, form := range []string{"(0)", "( 0 )", "(0 )", "( 0)"} {
		if i := strings.Index(s, form); i >= 0 {
			return s[:i] + s[i+len(form):]
		}
	}
	return s
}
