//go:build windows || darwin

package gui

// trayAvailable reports whether the session shows tray icons: Windows'
// notification area and the macOS menu bar always do.
func trayAvailable() bool { return true }
