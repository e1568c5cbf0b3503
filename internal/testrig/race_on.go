//go:build race

package testrig

// raceEnabled: this binary was built with the race detector.
const raceEnabled = true
