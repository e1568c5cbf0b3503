package dsp

// dtmfKeys is the ITU-T Q.23 Figure 1 keypad layout, rows by low tone.
const dtmfKeys = "123A456B789C*0#D"

// DTMFFreqs returns the ITU-T Q.23 §2 low (row) and high (column) group
// frequencies of digit (0-9, *, #, A-D; lower-case a-d accepted).
func DTMFFreqs(digit rune) (low, high float64, ok bool) {
	lowGroup := [4]float64{697, 770, 852, 941}
	highGroup := [4]float64{1209, 1336, 1477, 1633}
	if digit >= 'a' && digit <= 'd' {
		digit -= 'a' - 'A'
	}
	for i, k := range dtmfKeys {
		if k == digit {
			return lowGroup[i/4], highGroup[i%4], true
		}
	}
	return 0, 0, false
}
