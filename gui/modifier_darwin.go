package gui

// shortcutModifierName is how the Help dialog writes Fyne's shortcut
// modifier, the key macOS users know as Cmd.
const shortcutModifierName = "Cmd"
