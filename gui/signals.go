//go:build cgo

package gui

import (
	"bytes"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
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
// listening yet. Quits that come without a signal (the app menu's Quit)
// are caught when the queued function runs: after the loop ends, Fyne runs
// it on the caller's goroutine instead of the main one, and the guard drops
// it there.
type quitGuard struct {
	quitting atomic.Bool
	mainID   uint64
	signals  chan os.Signal
	done     chan struct{}
	mu       sync.Mutex
	stops    []func()
}

// newQuitGuard must be called on the main goroutine, the one Fyne runs
// queued functions on while its loop is alive.
func newQuitGuard() *quitGuard {
	return &quitGuard{mainID: goroutineID(), signals: make(chan os.Signal, 1), done: make(chan struct{})}
}

// do is the window's onUI: fyne.Do unless the app is quitting.
func (g *quitGuard) do(f func()) {
	if g.quitting.Load() {
		return
	}
	fyne.Do(func() {
		if g.mayRun() {
			f()
		}
	})
}

// mayRun reports whether a queued UI function may touch the driver now.
func (g *quitGuard) mayRun() bool {
	return !g.quitting.Load() && goroutineID() == g.mainID
}

// goroutineID parses the running goroutine's number from its stack header
// ("goroutine 1 [running]:"). Go offers no API for it on purpose; here it
// only tells Fyne's main goroutine from others, which Fyne's own thread
// check also does this way.
func goroutineID() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// watch handles SIGINT/SIGTERM until stop is called. Call it once.
func (g *quitGuard) watch(a fyne.App) {
	signal.Notify(g.signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-g.signals:
			g.quitting.Store(true)
			g.mu.Lock()
			stops := g.stops
			g.mu.Unlock()
			for _, stopWindow := range stops {
				stopWindow() // goroutines return; actions see a cancelled context
			}
			fyne.Do(a.Quit)
		case <-g.done:
		}
	}()
}

// onQuit has a signal run stopWindow, which ends what a window runs (its
// pump, its sign-in attempt), before Fyne quits.
func (g *quitGuard) onQuit(stopWindow func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stops = append(g.stops, stopWindow)
}

// stop ends the watch, on the main goroutine after the run loop returned:
// from then on nothing may touch the driver, however the app quit.
func (g *quitGuard) stop() {
	g.quitting.Store(true)
	signal.Stop(g.signals)
	close(g.done)
}
