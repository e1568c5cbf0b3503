package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/headless"
	"github.com/parley-voip/parley/phone"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Main runs Parley and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s, err := Parse(args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, ErrUsage) {
			return exitUsage
		}
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	level := slog.LevelWarn
	if s.Verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if s.Headless {
		return runHeadless(ctx, s, logger, stdin, stdout, stderr)
	}
	return runGUI(ctx, s, logger, stderr)
}

func newPhone(s Settings, logger *slog.Logger) (*phone.Phone, error) {
	opts := []phone.Option{phone.WithLogger(logger)}
	if s.LocalIP != "" {
		opts = append(opts, phone.WithLocalIP(s.LocalIP))
	}
	return phone.New(s.Account, opts...)
}

func runHeadless(ctx context.Context, s Settings, logger *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
	if !s.HasAccount() {
		fmt.Fprintln(stderr, "parley: no account: pass -config FILE, or -server/-user/-password, or set PARLEY_SERVER, PARLEY_USER and PARLEY_PASSWORD")
		return exitUsage
	}
	p, err := newPhone(s, logger)
	if err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return exitUsage
	}
	// Events must reach stdout from the very first registration attempt, so
	// headless mode starts reading before Connect.
	runErr := make(chan error, 1)
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	go func() { runErr <- headless.Run(runCtx, p, stdin, stdout) }()

	if err := p.Connect(ctx); err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		if !retriable(err) {
			shutdown(p)
			cancelRun()
			<-runErr
			return exitFailure
		}
		// The line keeps retrying in the background and reports it as
		// events: a phone that stays up tells the script when it is back.
	}
	err = <-runErr
	shutdown(p)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	return exitOK
}

func runGUI(ctx context.Context, s Settings, logger *slog.Logger, stderr io.Writer) int {
	if !s.HasAccount() {
		fmt.Fprintln(stderr, "parley: no account configured; starting without one (see README: -config, or -demo)")
	}
	var api phone.API
	var p *phone.Phone
	if s.HasAccount() {
		var err error
		p, err = newPhone(s, logger)
		if err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return exitUsage
		}
		api = p
		go func() {
			if err := p.Connect(ctx); err != nil {
				logger.Warn("registration", "err", err)
			}
		}()
	}
	err := gui.Run(api)
	if p != nil {
		shutdown(p)
	}
	if err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return exitFailure
	}
	return exitOK
}

// retriable reports whether a failed Connect is worth waiting out: the
// server may come back, but a wrong password or bad settings will not fix
// themselves.
func retriable(err error) bool {
	return !errors.Is(err, phone.ErrAuthFailed) && !errors.Is(err, phone.ErrInvalidAccount) && !errors.Is(err, phone.ErrClosed)
}

func shutdown(p *phone.Phone) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.Disconnect(ctx)
}
