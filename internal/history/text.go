package history

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// digitsOnly keeps the decimal digits of s.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isDialString reports whether s looks like a typed number: digits and the
// separators people write numbers with, nothing else.
func isDialString(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+ -.()/*#\u00a0", r) {
			return false
		}
	}
	return true
}

// fold lowers s and strips accents (NFD, then combining marks dropped), so
// "helene" finds "Hélène".
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
