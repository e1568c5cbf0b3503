package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/localapi"
)

// IntegrationSettings are the ways other programs work with the running
// window (docs/local-api.md).
type IntegrationSettings struct {
	// LocalAPI is "on" or "off" (default): the localhost control API
	// (-local-api, PARLEY_LOCAL_API, "local_api"; the fleet key local_api
	// wins when locked).
	LocalAPI string
	// LocalAPIAddress is its loopback address (default 127.0.0.1:7393);
	// LocalAPIOrigins the web pages allowed to call it from a browser.
	LocalAPIAddress string
	LocalAPIOrigins []string
	// ScreenPopURL and ScreenPopCommand open a page or run a program with
	// the caller's number ({number}, {name}, {callid}) when a call rings
	// (ScreenPopOn "ring", the default) or is answered ("answer").
	ScreenPopURL     string
	ScreenPopCommand []string
	ScreenPopOn      string
}

// pickIntegration lays the flag, then the environment, over the file and
// checks the values.
func pickIntegration(in *IntegrationSettings, flagValue string, getenv func(string) string) error {
	if flagValue != "" {
		in.LocalAPI = flagValue
	} else if v := getenv("PARLEY_LOCAL_API"); v != "" {
		in.LocalAPI = v
	}
	in.LocalAPI = strings.ToLower(strings.TrimSpace(in.LocalAPI))
	switch in.LocalAPI {
	case "", "off":
		in.LocalAPI = "off"
	case "on":
	default:
		return fmt.Errorf("local API %q: use on or off", in.LocalAPI)
	}
	switch strings.ToLower(in.ScreenPopOn) {
	case "", string(localapi.PopOnRing):
		in.ScreenPopOn = string(localapi.PopOnRing)
	case string(localapi.PopOnAnswer):
		in.ScreenPopOn = string(localapi.PopOnAnswer)
	default:
		return fmt.Errorf("screen pop on %q: use ring or answer", in.ScreenPopOn)
	}
	return nil
}

// startIntegration starts, for sess, the local control API and the screen
// pop its settings ask for, and stops them before the line closes. Their
// failure costs the integration, not the phone: it is reported on stderr
// and in the returned warnings, for the window.
func startIntegration(sess *session, in IntegrationSettings, logger *slog.Logger, stderr io.Writer, tokenPath string) (warnings []gui.Option) {
	var stops []func()
	if in.LocalAPI == "on" {
		token, err := localapi.TokenFile(tokenPath)
		var srv *localapi.Server
		if err == nil {
			srv, err = localapi.Listen(sess.api, localapi.Config{
				Addr: in.LocalAPIAddress, Token: token, AllowedOrigins: in.LocalAPIOrigins,
				Headless: sess.commands, Logger: logger,
			})
		}
		if err != nil {
			fmt.Fprintln(stderr, "parley: the local control API is off:", err)
			warnings = append(warnings, gui.WithWarningAbout(gui.WarningNoLocalAPI, err))
		} else {
			fmt.Fprintf(stderr, "parley: local control API on %s (token in %s)\n", srv.URL(), tokenPath)
			stops = append(stops, func() { _ = srv.Close() })
		}
	}
	if in.ScreenPopURL != "" || len(in.ScreenPopCommand) > 0 {
		pop, err := localapi.StartPop(sess.api, localapi.PopConfig{
			URL: in.ScreenPopURL, Command: in.ScreenPopCommand, Trigger: localapi.PopTrigger(in.ScreenPopOn), Logger: logger,
		})
		if err != nil {
			fmt.Fprintln(stderr, "parley: no screen pop:", err)
			warnings = append(warnings, gui.WithWarningAbout(gui.WarningNoPop, err))
		} else {
			stops = append(stops, func() { closeWithin(pop.Close) })
		}
	}
	if len(stops) > 0 {
		closeLine := sess.close
		sess.close = func() {
			for _, stop := range stops {
				stop()
			}
			closeLine()
		}
	}
	return warnings
}
