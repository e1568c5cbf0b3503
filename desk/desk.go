package desk

import (
	"context"
	"log/slog"
	"sync"

	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// Option configures a Desk (functional options, pion style).
type Option func(*config)

type config struct {
	log *slog.Logger
}

// WithLogger sets the structured logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// Desk is one signed-in Wazo line's contact-centre services. It owns every
// goroutine its services start; Close stops them and waits.
type Desk struct {
	line   *wazoline.Line
	client *wazo.Client
	log    *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// agent is the agent session (agent.go), started by the first Agent().
	agentOnce     sync.Once
	agent         *Agent
	transfersOnce sync.Once
	transfers     *Transfers
	// svcMu guards the services that keep state and so exist once per
	// desk (created on first use by their accessor).
	svcMu          sync.Mutex
	voicemail      *Voicemail // voicemail.go
	colleaguesOnce sync.Once
	colleagues     *Colleagues
}

// New returns the services of line. It makes no request: each service
// fetches its state when first asked or started.
func New(line *wazoline.Line, opts ...Option) *Desk {
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Desk{line: line, client: line.Client(), log: cfg.log, ctx: ctx, cancel: cancel}
}

// UserUUID is the signed-in user's uuid.
func (d *Desk) UserUUID() string { return d.line.UserUUID() }

// goOwned runs f on a goroutine that Close cancels (through ctx) and
// waits for. Services start their event loops with it.
func (d *Desk) goOwned(f func(ctx context.Context)) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f(d.ctx)
	}()
}

// Close stops every service's goroutine and waits for them. The line
// itself belongs to the caller.
func (d *Desk) Close() {
	d.cancel()
	d.wg.Wait()
}
