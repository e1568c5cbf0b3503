//go:build darwin && cgo

package macurl

/*
#cgo CFLAGS: -fobjc-arc
#cgo LDFLAGS: -framework Cocoa

// In macurl_darwin.m.
void parleyListenForURLs(void);
*/
import "C"

import "sync"

// urls is package state only because a cgo callback cannot carry a Go
// value; listenOnce keeps it written once.
var (
	listenOnce sync.Once
	urls       chan string
)

func listen() <-chan string {
	listenOnce.Do(func() {
		urls = make(chan string, 8)
		C.parleyListenForURLs()
	})
	return urls
}

//export parleyGotURL
func parleyGotURL(u *C.char) {
	// Runs on the main thread inside AppKit's event loop: never block it.
	select {
	case urls <- C.GoString(u):
	default:
	}
}
