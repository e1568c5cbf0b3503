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
		return "", numberError(NumberEmpty, 0, "the number is empty")
	}
	if len(s) > maxNumberLen {
		return "", numberError(NumberTooLong, 0, fmt.Sprintf("%d characters is too long for a number", len(s)))
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return "", numberError(NumberLineBreak, 0, "it contains a line break")
		}
		if unicode.IsControl(r) {
			return "", numberError(NumberControlCharacter, 0, "it contains an invisible control character")
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
			return "", numberError(NumberBadCharacter, r, fmt.Sprintf("%q is not allowed in a number", r))
		}
	}
	out := b.String()
	if out == "" || out == "+" {
		return "", numberError(NumberNoDigits, 0, fmt.Sprintf("%q has no digits", s))
	}
	return out, nil
}

func normalizeToken(s string) (string, error) {
	for _, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.!~*'+#", r))
		if !ok {
			return "", numberError(ExtensionBadCharacter, r, fmt.Sprintf("%q is not allowed in an extension", r))
		}
	}
	return s, nil
}

func normalizeURI(s string) (string, error) {
	if strings.ContainsAny(s, " \t<>\"") {
		return "", numberError(AddressBadCharacter, 0, "a SIP address cannot contain spaces, quotes or angle brackets")
	}
	scheme, rest, _ := strings.Cut(s, ":")
	user, host, hasAt := strings.Cut(rest, "@")
	if !hasAt {
		host, user = user, ""
	}
	if h, _, _ := strings.Cut(host, ";"); h == "" {
		return "", numberError(AddressNoHost, 0, fmt.Sprintf("the SIP address %q has no host", s))
	}
	if hasAt && user == "" {
		return "", numberError(AddressNoUser, 0, fmt.Sprintf("the SIP address %q has no user", s))
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

// NumberProblem says what is wrong with a number, for front ends that word
// it themselves.
type NumberProblem string

// What NormalizeNumber refuses.
const (
	NumberEmpty            NumberProblem = "empty"
	NumberTooLong          NumberProblem = "too_long"
	NumberLineBreak        NumberProblem = "line_break"
	NumberControlCharacter NumberProblem = "control_character"
	NumberBadCharacter     NumberProblem = "bad_character" // Character says which
	NumberNoDigits         NumberProblem = "no_digits"
	ExtensionBadCharacter  NumberProblem = "extension_bad_character" // Character says which
	AddressBadCharacter    NumberProblem = "address_bad_character"   // space, quote or angle bracket in a SIP URI
	AddressNoHost          NumberProblem = "address_no_host"
	AddressNoUser          NumberProblem = "address_no_user"
)

// NumberError is NormalizeNumber's refusal. It matches ErrInvalidNumber
// with errors.Is, and reads as a sentence.
type NumberError struct {
	Problem   NumberProblem
	Character rune // the refused character, for the *BadCharacter problems
	detail    string
}

func numberError(problem NumberProblem, r rune, detail string) error {
	return &NumberError{Problem: problem, Character: r, detail: detail}
}

func (e *NumberError) Error() string { return ErrInvalidNumber.Error() + ": " + e.detail }

// Unwrap makes errors.Is(err, ErrInvalidNumber) true.
func (e *NumberError) Unwrap() error { return ErrInvalidNumber }
