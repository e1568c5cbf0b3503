//go:build !darwin

package gui

// shortcutModifierName is how the Help dialog writes Fyne's shortcut
// modifier: Ctrl everywhere but macOS.
const shortcutModifierName = "Ctrl"
