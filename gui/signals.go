//go:build cgo

package gui

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"fyne.io/fyne/v2"
)

// quitGuard keeps the window's goroutines off the GL driver once the app is
// quitting.
//
// Fyne quits on SIGINT/SIGTERM by itself (its driver calls Quit), without
// closing the window: our OnClosed never runs, the pump keeps rendering,
// and once the driver has terminated GLFW, fyne.Do runs functions inline on
// the calling goroutine, so the next render panics with "The GLFW library is
// not initialized". The guard drops UI work from the moment the signal
// arrives (checked when queued and again when run), stops the window's
// goroutines, and asks Fyne to quit in case its own handler is not
// listening yet.
type quitGuard struct {
	quitting atomic.Bool
	signals  chan os.Signal
	done     chan struct{}
}

func newQuitGuard() *quitGuard {
	return &quitGuard{signals: make(chan os.Signal, 1), done: make(chan struct{})}
}

// do is the window's onUI: fyne.Do unless the app is quitting.
func (g *quitGuard) do(f func()) {
	if g.quitting.Load() {
		return
	}
	fyne.Do(func() {
		if !g.quitting.Load() {
			f()
		}
	})
}

// watch handles SIGINT/SIGTERM for m until stop is called.
func (g *quitGuard) watch(a fyne.App, m *MainWindow) {
	signal.Notify(g.signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-g.signals:
			g.quitting.Store(true)
			m.stop() // the pump and tone sender return; actions see a cancelled context
			fyne.Do(a.Quit)
		case <-g.done:
		}
	}()
}

// stop ends the watch, on the main goroutine after the run loop returned:
// from then on nothing may touch the driver, however the app quit.
func (g *quitGuard) stop() {
	g.quitting.Store(true)
	signal.Stop(g.signals)
	close(g.done)
}
