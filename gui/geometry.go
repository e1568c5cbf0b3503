package gui

import "fyne.io/fyne/v2"

// The window's size is remembered between runs in the app's preferences,
// the way agents expect a tool they arrange on their screen every morning
// to come back where they left it. Fyne 2.8 does not expose the window's
// position, so only the size is kept; the window manager places it.
const (
	prefWindowWidth  = "window.width"
	prefWindowHeight = "window.height"
)

// minWindowWidth and minWindowHeight are the smallest size the window is
// laid out for: every control of the focused call stays on screen down to it.
const minWindowWidth, minWindowHeight = 360, 480

// rememberedSize is the size saved by the last run, or def when none was
// saved or what was saved is smaller than the window can be used at.
func rememberedSize(p fyne.Preferences, def fyne.Size) fyne.Size {
	w := float32(p.FloatWithFallback(prefWindowWidth, 0))
	h := float32(p.FloatWithFallback(prefWindowHeight, 0))
	if w < minWindowWidth || h < minWindowHeight {
		return def
	}
	return fyne.NewSize(w, h)
}

// rememberSize saves the window's size for the next run.
func rememberSize(p fyne.Preferences, size fyne.Size) {
	if size.Width < minWindowWidth || size.Height < minWindowHeight {
		return // minimised or not laid out yet: not a size to come back to
	}
	p.SetFloat(prefWindowWidth, float64(size.Width))
	p.SetFloat(prefWindowHeight, float64(size.Height))
}
