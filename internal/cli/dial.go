package cli

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/parley-voip/parley/internal/dialurl"
	"github.com/parley-voip/parley/phone"
)

// dialWait bounds how long a link waits for the line to register: long
// enough for a slow Wazo login, short enough that a click an hour later on
// a phone that never came up does not suddenly ring someone.
const dialWait = 45 * time.Second

// dialWhenReady places the call a tel:/sip: link asked for once the line is
// registered. Both front ends show it from the phone's own events, so
// nothing else needs to know the call came from a link.
func dialWhenReady(ctx context.Context, api phone.API, target string, stderr io.Writer) {
	events, unsubscribe := api.Subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	for st := api.Registration().State; st != phone.RegRegistered && st != phone.RegDirect; st = api.Registration().State {
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				fmt.Fprintf(stderr, "parley: not dialling %s: the line did not register within %s\n", target, dialWait)
			}
			return
		case <-events:
			// re-check the registration state
		}
	}
	if _, err := api.Call(ctx, target); err != nil {
		fmt.Fprintf(stderr, "parley: dialling %s: %v\n", target, err)
	}
}

// currentLine holds the line in use, which changes when the user switches
// accounts; links clicked meanwhile wait for the next one.
type currentLine struct {
	mu      sync.Mutex
	api     phone.API
	changed chan struct{} // closed and replaced at each set
}

func newCurrentLine() *currentLine { return &currentLine{changed: make(chan struct{})} }

func (c *currentLine) set(api phone.API) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.api = api
	close(c.changed)
	c.changed = make(chan struct{})
}

// clear forgets api if it is still the line in use.
func (c *currentLine) clear(api phone.API) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api == api {
		c.api = nil
	}
}

// wait returns the line in use, waiting for one until ctx ends.
func (c *currentLine) wait(ctx context.Context) (phone.API, error) {
	for {
		c.mu.Lock()
		api, changed := c.api, c.changed
		c.mu.Unlock()
		if api != nil {
			return api, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

// dialLinks dials each link the OS sends while Parley runs (macOS Apple
// Events, the hand-over socket), one after another, on the line in use.
func dialLinks(ctx context.Context, line *currentLine, links <-chan string, stderr io.Writer) {
	for {
		select {
		case <-ctx.Done():
			return
		case link, ok := <-links:
			if !ok {
				return
			}
			target, err := dialurl.Parse(link)
			if err != nil {
				fmt.Fprintln(stderr, "parley:", err)
				continue
			}
			wctx, cancel := context.WithTimeout(ctx, dialWait)
			api, err := line.wait(wctx)
			cancel()
			if err != nil {
				fmt.Fprintf(stderr, "parley: not dialling %s: no line is signed in\n", target)
				continue
			}
			dialWhenReady(ctx, api, target, stderr)
		}
	}
}
