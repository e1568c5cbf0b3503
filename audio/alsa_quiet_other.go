//go:build cgo && !linux

package audio

// quietALSA: only Linux has ALSA.
func quietALSA() {}
