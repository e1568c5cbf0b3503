//go:build !cgo

package audio

// promoteThread: without cgo there is no real-time request to make.
func promoteThread() {}
