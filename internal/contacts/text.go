package contacts

import (
	"strings"

	"github.com/parley-voip/parley/internal/textmatch"
)

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

// The search rules shared with the other search boxes (textmatch).
func digitsOnly(s string) string { return textmatch.Digits(s) }
func isDialString(s string) bool { return textmatch.IsDialString(s) }
func fold(s string) string       { return textmatch.Fold(s) }
