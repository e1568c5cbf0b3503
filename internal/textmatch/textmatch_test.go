package textmatch

import "testing"

func TestRules(t *testing.T) {
	if got := Digits("+33 (0)1 23-45"); got != "33012345" {
		t.Errorf("Digits = %q", got)
	}
	for s, want := range map[string]bool{"+33 6 12.34": true, "1002": true, "*21#": true, "alice": false, "06 12 a": false} {
		if got := IsDialString(s); got != want {
			t.Errorf("IsDialString(%q) = %v", s, got)
		}
	}
	if got := Fold("Hélène ÉTIENNE"); got != "helene etienne" {
		t.Errorf("Fold = %q", got)
	}
}
