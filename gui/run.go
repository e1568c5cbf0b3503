//go:build cgo

package gui

import (
	"fyne.io/fyne/v2/app"

	"github.com/parley-voip/parley/phone"
)

// Run opens the main window on api and returns when the user closes it. It
// must be called from the main goroutine, as Fyne requires.
func Run(api phone.API, opts ...Option) error {
	cfg := defaultRunConfig(opts)
	m := NewMainWindow(app.NewWithID(AppID), api)
	m.Window().Resize(cfg.size)
	m.Window().SetMaster()
	m.Window().ShowAndRun()
	m.wait()
	return nil
}
