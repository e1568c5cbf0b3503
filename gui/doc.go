// Package gui is Parley's desktop window, built with Fyne. It is a thin
// client of phone.API: every button calls an API method on a goroutine of its
// own, and everything shown comes from the phone's state and events, brought
// back to the Fyne thread with fyne.Do. Nothing else in Parley imports Fyne.
//
// One file per screen or component: mainwindow.go assembles them,
// registration.go, dialer.go, calllist.go and incoming.go are the parts.
//
// Fyne's desktop driver needs cgo (OpenGL), so Run is built only with cgo
// (run.go); without cgo, Run reports that this build has no window
// (run_nocgo.go). Everything else, and the tests on Fyne's test driver, build
// with CGO_ENABLED=0.
package gui
