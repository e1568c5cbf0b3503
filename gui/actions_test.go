package gui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/widget"
)

func TestActionButtonRunsAndShowsErrors(t *testing.T) {
	f := newFixture(t)
	var runs atomic.Int32
	f.ui.do(func() {
		f.m.AddAction(Action{Label: "Ring me", Run: func(context.Context) error {
			runs.Add(1)
			return nil
		}})
		f.m.AddAction(Action{Label: "Broken", Run: func(context.Context) error {
			return errors.New("the demo bot is asleep")
		}})
	})
	button := func(label string) func() *widget.Button {
		return func() *widget.Button {
			for _, o := range f.m.panels.Objects {
				if b, ok := o.(*widget.Button); ok && b.Text == label {
					return b
				}
			}
			return nil
		}
	}
	f.tap(button("Ring me"))
	f.waitUntil("the action to run", func() bool { return runs.Load() == 1 })
	f.tap(button("Broken"))
	f.waitUntil("the action's error on screen", func() bool {
		return slices.ContainsFunc(f.visibleTexts(), func(s string) bool { return strings.Contains(s, "bot is asleep") })
	})
}
