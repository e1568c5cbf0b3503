package testrig

import "testing"

// RealTime marks a test that judges real-time audio from many engines in one
// process. The race detector slows every memory access several times over,
// so such a test measures the detector, not Parley: under -race it is
// skipped, and scripts/test.sh runs it again in its pass without the race
// detector (tests named ...RealTime). Logic and concurrency stay covered by
// the race-enabled pass of every other test.
func RealTime(t testing.TB) {
	t.Helper()
	if raceEnabled {
		t.Skip("real-time audio with many engines is judged without the race detector (scripts/test.sh, real-time pass)")
	}
}
