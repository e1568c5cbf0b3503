package contacts

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dialChars keeps what can be dialled: a leading +, digits, * and #.
func dialChars(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isDialString reports whether s is made of digits and the separators
// people write numbers with.
func isDialString(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+ -.()/*#\u00a0", r) {
			return false
		}
	}
	return true
}

// fold lowers s and strips accents, so "helene" finds "Hélène".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
