package history

import "github.com/parley-voip/parley/internal/textmatch"

// The search rules shared with the contacts search (textmatch).
func digitsOnly(s string) string { return textmatch.Digits(s) }
func isDialString(s string) bool { return textmatch.IsDialString(s) }
func fold(s string) string       { return textmatch.Fold(s) }
