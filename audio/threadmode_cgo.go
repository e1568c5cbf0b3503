//go:build cgo

package audio

// promoteThread asks for real-time scheduling of the calling OS thread, as
// the device callback thread does (realtime_linux.go).
func promoteThread() { promoteAudioThread() }
