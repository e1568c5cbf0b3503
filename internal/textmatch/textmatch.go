// Package textmatch holds the small text rules search boxes share: what
// counts as a typed number, and how names are compared regardless of case
// and accents. The history and the contacts search with the same rules, so
// a query finds the same people in both.
package textmatch

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Digits keeps the decimal digits of s.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// IsDialString reports whether s looks like a typed number: digits and the
// separators people write numbers with, nothing else.
func IsDialString(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+ -.()/*#\u00a0", r) {
			return false
		}
	}
	return true
}

// Fold lowers s and strips accents (NFD, then combining marks dropped), so
// "helene" finds "Hélène".
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
