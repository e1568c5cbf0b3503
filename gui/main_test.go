package gui

import (
	"fmt"
	"os"
	"testing"
)

// TestMain loads the translations in English, whatever the machine's
// locale, as Run does at start: the tests read the window's English
// texts, and plurals ("1 call") come from translations/en.json.
func TestMain(m *testing.M) {
	if err := useLanguage("en"); err != nil {
		fmt.Fprintln(os.Stderr, "translations:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
