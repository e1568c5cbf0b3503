package cli

import (
	"context"
	"fmt"
	"io"
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
	for api.Registration().State != phone.RegRegistered {
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

// dialLinks dials each link the OS sends while Parley runs (macOS Apple
// Events), one after another.
func dialLinks(ctx context.Context, api phone.API, links <-chan string, stderr io.Writer) {
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
			dialWhenReady(ctx, api, target, stderr)
		}
	}
}
