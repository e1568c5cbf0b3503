//go:build !darwin || !cgo

package macurl

// listen: links arrive on the command line outside macOS.
func listen() <-chan string { return nil }
