package localapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"github.com/parley-voip/parley/phone"
)

// PopTrigger says when the screen pop fires.
type PopTrigger string

const (
	// PopOnRing fires when an incoming call starts ringing (the default):
	// the CRM record is up before the agent answers.
	PopOnRing PopTrigger = "ring"
	// PopOnAnswer fires when an incoming call is answered (here or by
	// auto-answer), for CRMs that log a contact only for taken calls.
	PopOnAnswer PopTrigger = "answer"
)

// PopConfig configures the CRM screen pop: on an incoming call, open a URL,
// run a program, or both, with the caller's number. docs/local-api.md has
// the user documentation.
//
// The placeholders {number} (the caller's number as the line shows it),
// {name} (the caller's display name) and {callid} (the call's sipCallId, as
// in headless events) are replaced in URL and in each element of Command.
type PopConfig struct {
	// URL is a template of an http or https address, e.g.
	// "https://crm.example.com/search?phone={number}". In it the values are
	// percent-encoded (everything but letters, digits and -._~), so they fit
	// a path or a query and cannot add parameters.
	URL string
	// Command is a program and its arguments, e.g.
	// ["/usr/local/bin/crm-pop", "--caller", "{number}"]. It is run
	// directly, never through a shell, so the number cannot inject shell
	// syntax; values are passed as they are, except that control characters
	// are dropped, and a pop whose value would make an argument start with
	// "-" where the template's did not is refused (no option injection).
	// The program also gets PARLEY_CALL_NUMBER, PARLEY_CALL_NAME and
	// PARLEY_CALL_ID in its environment.
	Command []string
	// Trigger is PopOnRing (default) or PopOnAnswer.
	Trigger PopTrigger
	// OpenURL opens the address in the user's browser. The window passes
	// Fyne's App.OpenURL; nil uses the desktop's opener (xdg-open, open,
	// rundll32 url.dll).
	OpenURL func(*url.URL) error
	// Done, if set, is called once per pop after the program (and opener)
	// finished, with what went wrong if anything; for logs and tests.
	Done func(PopResult)
	// Logger gets a line per pop that failed or was refused.
	Logger *slog.Logger
}

// PopResult is the outcome of one pop.
type PopResult struct {
	Call phone.CallSession
	// URL is the address opened, if any.
	URL string
	// Args is the command run, if any, after substitution.
	Args []string
	// Err is why the pop (or part of it) failed: ErrPopRefused, the
	// program's exit status, the opener's error.
	Err error
}

// ErrPopRefused: the caller's number or name would have made an unsafe
// command or address, so the pop did not run.
var ErrPopRefused = errors.New("screen pop refused")

// Pop watches a phone for incoming calls and pops the CRM. Close stops it.
type Pop struct {
	cfg  PopConfig
	log  *slog.Logger
	stop func()
	loop chan struct{} // closed when the event loop has returned
	runs sync.WaitGroup
}

// StartPop checks cfg and starts watching api. It fails when neither URL nor
// Command is set, the URL is not http(s), or the program cannot be found.
func StartPop(api phone.API, cfg PopConfig) (*Pop, error) {
	if cfg.URL == "" && len(cfg.Command) == 0 {
		return nil, errors.New("the screen pop needs an address to open or a command to run")
	}
	switch cfg.Trigger {
	case "":
		cfg.Trigger = PopOnRing
	case PopOnRing, PopOnAnswer:
	default:
		return nil, fmt.Errorf("the screen pop trigger %q is neither %q nor %q", cfg.Trigger, PopOnRing, PopOnAnswer)
	}
	if cfg.URL != "" {
		if _, err := popURL(cfg.URL, values{number: "0", name: "x", callID: "x"}); err != nil {
			return nil, err
		}
	}
	if len(cfg.Command) > 0 {
		if _, err := exec.LookPath(cfg.Command[0]); err != nil {
			return nil, fmt.Errorf("the screen pop command %q cannot be run: %w", cfg.Command[0], err)
		}
	}
	if cfg.OpenURL == nil {
		cfg.OpenURL = openInBrowser
	}
	p := &Pop{cfg: cfg, log: cfg.Logger, loop: make(chan struct{})}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	events, unsubscribe := api.Subscribe()
	p.stop = unsubscribe
	go p.watch(events)
	return p, nil
}

// Close stops watching, then waits for the programs started by pops until
// they exit or ctx ends (a program that keeps running, such as a browser
// started by the opener, is left running; its waiter ends with it).
func (p *Pop) Close(ctx context.Context) error {
	p.stop()
	<-p.loop
	done := make(chan struct{})
	go func() { p.runs.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Pop) watch(events <-chan phone.Event) {
	defer close(p.loop)
	popped := make(map[string]bool) // calls popped and not over yet
	for ev := range events {
		if ev.Call == nil {
			continue
		}
		id := ev.Call.ID()
		switch ev.Type {
		case phone.EventCallEnded, phone.EventCallFailed:
			delete(popped, id)
			continue
		case phone.EventCallIncoming:
			if p.cfg.Trigger != PopOnRing {
				continue
			}
		case phone.EventCallAccepted:
			if p.cfg.Trigger != PopOnAnswer || ev.Call.IsCaller {
				continue
			}
		default:
			continue
		}
		if popped[id] {
			continue
		}
		popped[id] = true
		p.runs.Add(1)
		go func(cs phone.CallSession) {
			defer p.runs.Done()
			p.pop(cs)
		}(*ev.Call)
	}
}

// values are one call's placeholder values.
type values struct{ number, name, callID string }

func valuesOf(cs phone.CallSession) values {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, s)
	}
	return values{number: clean(cs.Number), name: clean(cs.DisplayName), callID: clean(cs.ID())}
}

func (v values) replace(template string, escape func(string) string) string {
	return strings.NewReplacer(
		"{number}", escape(v.number),
		"{name}", escape(v.name),
		"{callid}", escape(v.callID),
	).Replace(template)
}

// pop runs the URL and the command for one call.
func (p *Pop) pop(cs phone.CallSession) {
	v := valuesOf(cs)
	res := PopResult{Call: cs}
	var errs []error
	if p.cfg.URL != "" {
		u, err := popURL(p.cfg.URL, v)
		if err == nil {
			res.URL = u.String()
			err = p.cfg.OpenURL(u)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("opening the screen pop address: %w", err))
		}
	}
	if len(p.cfg.Command) > 0 {
		args, err := popArgs(p.cfg.Command, v)
		if err == nil {
			res.Args = args
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = append(os.Environ(),
				"PARLEY_CALL_NUMBER="+v.number, "PARLEY_CALL_NAME="+v.name, "PARLEY_CALL_ID="+v.callID)
			err = cmd.Run()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("running the screen pop command: %w", err))
		}
	}
	res.Err = errors.Join(errs...)
	if res.Err != nil {
		p.log.Warn("screen pop failed", "call", cs.ID(), "err", res.Err)
	}
	if p.cfg.Done != nil {
		p.cfg.Done(res)
	}
}

// popURL fills the template and checks the result is still a plain web
// address.
func popURL(template string, v values) (*url.URL, error) {
	u, err := url.Parse(v.replace(template, escapeAll))
	if err != nil {
		return nil, fmt.Errorf("the screen pop address %q is not valid: %w", template, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("the screen pop address %q must be an http or https address", template)
	}
	return u, nil
}

// escapeAll percent-encodes everything except RFC 3986's unreserved
// characters (§2.3), so a value is data wherever it lands in the URL: "+"
// stays a plus (not a space) in a query, "/", "?", "&", "#" cannot end a
// segment or add a parameter.
func escapeAll(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// popArgs fills each argument; see PopConfig.Command for the one refusal.
func popArgs(template []string, v values) ([]string, error) {
	args := make([]string, len(template))
	for i, t := range template {
		a := v.replace(t, func(s string) string { return s })
		if i > 0 && strings.HasPrefix(a, "-") && !strings.HasPrefix(t, "-") {
			return nil, fmt.Errorf("%w: the caller's details would turn argument %d into an option (%q)", ErrPopRefused, i, a)
		}
		args[i] = a
	}
	return args, nil
}

// openInBrowser hands the address to the desktop, without a shell.
func openInBrowser(u *url.URL) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u.String())
	case "darwin":
		cmd = exec.Command("open", u.String())
	default:
		cmd = exec.Command("xdg-open", u.String())
	}
	return cmd.Run()
}
