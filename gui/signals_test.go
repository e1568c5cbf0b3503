//go:build cgo

package gui

import "testing"

func TestQuitGuardRunsOnlyOnTheMainGoroutineUntilQuitting(t *testing.T) {
	g := newQuitGuard() // this test's goroutine plays Fyne's main one
	if g.mainID == 0 {
		t.Fatal("no goroutine ID parsed")
	}
	if !g.mayRun() {
		t.Fatal("refused on the main goroutine")
	}
	other := make(chan bool)
	go func() { other <- g.mayRun() }()
	if <-other {
		t.Fatal("allowed off the main goroutine (Fyne runs queued work inline there once its loop has ended)")
	}
	g.quitting.Store(true)
	if g.mayRun() {
		t.Fatal("allowed while quitting")
	}
	ran := false
	g.do(func() { ran = true })
	if ran {
		t.Fatal("do ran work while quitting")
	}
}
