//go:build windows

package autostart

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/windows/registry"
)

// runKey is the user's Run key: programs started at that user's login.
const (
	runKey   = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValue = "Parley"
)

// Enabled reports whether Parley starts at login.
func (e *Entry) Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false, nil
	}
	defer k.Close()
	_, _, err = k.GetStringValue(runValue)
	if errors.Is(err, registry.ErrNotExist) || errors.Is(err, syscall.ERROR_FILE_NOT_FOUND) {
		return false, nil
	}
	return err == nil, err
}

// Enable makes Parley start at login.
func (e *Entry) Enable() error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("cannot open the Run key: %w", err)
	}
	defer k.Close()
	cmd := `"` + e.Exe + `" ` + startArg
	return k.SetStringValue(runValue, cmd)
}

// Disable stops Parley starting at login.
func (e *Entry) Disable() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return nil
	}
	defer k.Close()
	if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) && !errors.Is(err, syscall.ERROR_FILE_NOT_FOUND) {
		return fmt.Errorf("cannot remove the Run entry: %w", err)
	}
	return nil
}
