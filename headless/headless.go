// Package headless drives a phone with JSON lines: `parley -headless` reads
// one command object per line from stdin and writes every phone event and
// one reply per command to stdout, one JSON object per line. It is the
// automation and testing face of Parley; docs/headless.md is the protocol
// reference.
package headless

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/parley-voip/parley/conference"
	"github.com/parley-voip/parley/desk"
	"github.com/parley-voip/parley/phone"
)

// CommandHandler runs one command added with WithCommand. args is the whole
// command line as received (including "cmd" and "id"). A non-nil result is
// sent back as the reply's "result" field; a non-nil error as its "error".
type CommandHandler func(ctx context.Context, args json.RawMessage) (any, error)

// Option configures Run.
type Option func(*config)

type config struct {
	commands       map[string]CommandHandler
	tracker        *conference.Tracker // WithConferences; nil: Run makes its own
	desk           *desk.Desk          // WithDesk (desk.go); nil on a plain SIP line
	commandTimeout time.Duration
	maxLineBytes   int

	// streams write events that are not the phone's (the agent's state):
	// each runs on its own goroutine until its ctx ends, writing lines
	// with write.
	streams []func(ctx context.Context, write func(any) bool)
	// pumps write the events of other sources (the desk's services) until
	// ctx ends; Run owns and waits for them.
	pumps []func(ctx context.Context, w *lineWriter)
}

// WithCommand adds a command. This is the seam for commands that live outside
// this package (the conference commands, for instance). A handler registered
// under a built-in name replaces the built-in.
func WithCommand(name string, handler CommandHandler) Option {
	return func(c *config) { c.commands[name] = handler }
}

// WithCommandTimeout bounds each command; the default is 30 seconds, enough
// for a re-INVITE to time out on its own first.
func WithCommandTimeout(d time.Duration) Option {
	return func(c *config) { c.commandTimeout = d }
}

// WithMaxLineBytes bounds one command line; longer lines get an error reply
// and are skipped. The default is 64 KiB.
func WithMaxLineBytes(n int) Option {
	return func(c *config) { c.maxLineBytes = n }
}

// Run serves the JSON-lines protocol until in reaches EOF, a "quit" command
// arrives or ctx is cancelled. EOF and quit return nil; cancellation returns
// ctx's error; a failing out returns the write error.
//
// Commands run one at a time, in the order received, except that no
// command waits behind one that is waiting on the network (an accept whose
// ACK is slow, a hold, a transfer): status, calls and quit are answered at
// once, and so are hangup and reject naming their call, or a hangup while
// a command acting on a call is under way (it ends that call). Events are
// written as the phone produces them, so a command's reply may come before
// or after the events it caused, and replies may overtake each other;
// clients match replies by "id" and events by call id.
//
// Run cannot interrupt a Read that is blocked on in. When ctx is cancelled it
// returns at once, and the goroutine reading in ends at in's next line or EOF
// (for *os.File, Run also sets a read deadline to wake it where supported).
func Run(ctx context.Context, api phone.API, in io.Reader, out io.Writer, opts ...Option) error {
	cfg := config{
		commands:       make(map[string]CommandHandler),
		commandTimeout: 30 * time.Second,
		maxLineBytes:   64 << 10,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	addTransferCommands(&cfg, api) // transfers.go

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// One stream of phone and conference events, in the order the tracker
	// publishes them; without conferences, a tracker of the phone alone.
	tracker := cfg.tracker
	if tracker == nil {
		tracker = conference.NewTracker(api, nil)
		defer tracker.Close()
	}
	// Subscribe before reading anything, so no event caused by the first
	// command can be missed.
	events, unsubscribe := tracker.Subscribe()

	w := newLineWriter(out, cancel)
	// The first line says where the phone stands: the session may have
	// registered (or failed to) before Run started, and a script must not
	// wait for a "registered" event that came and went.
	w.write(ctx, readyLine(api))
	var pump sync.WaitGroup
	pump.Add(1)
	go func() {
		defer pump.Done()
		forwardEvents(ctx, events, w)
	}()
	streamCtx, stopStreams := context.WithCancel(ctx)
	for _, stream := range cfg.streams {
		pump.Add(1)
		go func() {
			defer pump.Done()
			stream(streamCtx, func(v any) bool { return w.write(streamCtx, v) })
		}()
	}
	pumpCtx, stopPumps := context.WithCancel(ctx)
	for _, p := range cfg.pumps {
		pump.Add(1)
		go func() {
			defer pump.Done()
			p(pumpCtx, w)
		}()
	}
	defer func() {
		stopStreams()
		stopPumps()
		unsubscribe()
		pump.Wait()
		w.close()
	}()
	stopTransfers := forwardTransfers(ctx, cfg.desk, w) // transfers.go
	defer stopTransfers()

	lines := readLines(ctx, in, cfg.maxLineBytes)
	s := &server{api: api, cfg: cfg, out: w, queue: newCommandQueue()}
	// Queued commands run on one worker, in order; the quick ones (see
	// dispatch) answer at once beside it. Both are done before Run returns:
	// at EOF the queue is drained, after quit or cancellation what is left
	// is answered without running.
	var running sync.WaitGroup
	running.Add(1)
	go func() {
		defer running.Done()
		s.work(ctx)
	}()
	defer func() {
		s.queue.close()
		running.Wait()
		s.others.Wait()
	}()
	// ended is Run's result once input stops: the cause that cancelled the
	// run, if any (a broken output cancels it, and the reader may see that
	// first and close its channel), else nil for EOF or quit.
	ended := func() error {
		if err := context.Cause(ctx); err != nil && !errors.Is(err, errQuit) {
			return err
		}
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return ended()
		case l, ok := <-lines:
			if !ok {
				return ended()
			}
			if l.err != nil && !errors.Is(l.err, errLineTooLong) {
				return ended() // a read error ends input like EOF does
			}
			if s.dispatch(ctx, l) {
				cancel(errQuit)
				return ended()
			}
		}
	}
}

// forwardEvents copies every update to the output until the subscription or
// ctx ends. The subscription's queue grows while out is slow, so the phone is
// never blocked and nothing is lost.
func forwardEvents(ctx context.Context, updates <-chan conference.Update, w *lineWriter) {
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			var line any
			switch {
			case u.Phone != nil:
				line = phoneLine{Event: *u.Phone, Merged: u.Merged, ConferenceID: u.ConferenceID}
			case u.Conference != nil:
				line = *u.Conference
			default:
				continue
			}
			if !w.write(ctx, line) {
				return
			}
		}
	}
}

// phoneLine is a phone event as written: the event's own fields, and on the
// end of a call that was folded into a conference, "merged" and the
// conference's id (docs/headless.md).
type phoneLine struct {
	phone.Event
	Merged       bool   `json:"merged,omitempty"`
	ConferenceID string `json:"conferenceId,omitempty"`
}

// ready is the first line Run writes.
type ready struct {
	Event        string              `json:"event"`
	Registration phone.Registration  `json:"registration"`
	Calls        []phone.CallSession `json:"calls"`
}

func readyLine(api phone.API) ready {
	return ready{Event: "ready", Registration: api.Registration(), Calls: api.Calls()}
}
