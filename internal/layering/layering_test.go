// Package layering holds the test that keeps Parley's package layers as
// docs/architecture.md draws them. The rules live here, not in review, so a
// change that bends the structure fails the suite.
package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/parley-voip/parley"

// pkg is the part of `go list -json` output the rules read.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// in reports whether path is prefix itself or a package below it.
func in(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// rule forbids packages matched by from to reach any package under one of
// forbidden. transitive checks every dependency of the package's own code
// (so a detour through another package does not hide the arrow); tests adds
// the direct imports of its test files. Tests may otherwise reach further
// than the code they test: driving the stand-in with Parley's own client is
// what those tests are for.
type rule struct {
	name       string
	from       func(path string) bool
	forbidden  []string
	transitive bool
	tests      bool
}

// violations returns what p reaches that r forbids. A package may of
// course use itself and its own subpackages.
func (r rule) violations(p pkg) []string {
	reach := slices.Clone(p.Imports)
	if r.tests {
		reach = slices.Concat(reach, p.TestImports, p.XTestImports)
	}
	if r.transitive {
		reach = append(reach, p.Deps...)
	}
	var bad []string
	for _, dep := range reach {
		for _, f := range r.forbidden {
			if in(dep, f) && !in(p.ImportPath, f) && !slices.Contains(bad, dep) {
				bad = append(bad, dep)
			}
		}
	}
	return bad
}

func under(prefixes ...string) func(string) bool {
	return func(p string) bool {
		return slices.ContainsFunc(prefixes, func(pre string) bool { return in(p, module+"/"+pre) })
	}
}

func not(f func(string) bool) func(string) bool { return func(p string) bool { return !f(p) } }

func local(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = module + "/" + n
	}
	return out
}

var frontEnds = []string{"gui", "headless", "internal/cli"}

func rules() []rule {
	return []rule{
		{name: "only gui imports Fyne", from: not(under("gui")), forbidden: []string{"fyne.io/fyne/v2"}, tests: true},
		{
			name: "phone knows nothing of conferences, front ends, Wazo or the stand-in",
			from: under("phone"), transitive: true,
			forbidden: local(append([]string{"conference", "desk", "wazo", "wazoline", "internal/wazostandin", "phoneaudio"}, frontEnds...)...),
		},
		{name: "audio sits below phone", from: under("audio"), transitive: true, forbidden: local("phone", "phoneaudio")},
		{name: "conference imports no front end", from: under("conference"), transitive: true, forbidden: local(frontEnds...)},
		{
			// desk is the Wazo contact-centre side for the front ends; like
			// conference it may know Wazo, never a front end or the stand-in.
			name: "desk imports no front end and no stand-in",
			from: under("desk"), transitive: true,
			forbidden: local(append([]string{"internal/wazostandin", "phoneaudio"}, frontEnds...)...),
		},
		{
			name: "the stand-in shares no media or SDP code with Parley",
			from: under("internal/wazostandin"), transitive: true,
			forbidden: local(append([]string{"internal/rtc", "internal/sipua", "phone", "wazoline", "conference", "phoneaudio"}, frontEnds...)...),
		},
		{
			// The call model is calld's state: it publishes events through a
			// func it is given and asks the SIP side to end legs through
			// ChannelHooks, so it can be tested (and reasoned about) alone.
			name: "the stand-in's call model speaks neither SIP nor HTTP",
			from: under("internal/wazostandin/callmodel"), transitive: true,
			forbidden: append(local("internal/wazostandin/sipside", "internal/wazostandin/httpside", "internal/wazostandin/media"),
				"net/http", "github.com/emiago/sipgo"),
		},
		{
			name: "the stand-in's SIP side never reaches its HTTP side",
			from: under("internal/wazostandin/sipside"), transitive: true,
			forbidden: local("internal/wazostandin/httpside"),
		},
		{
			// The SIP websocket is mounted as a plain http.Handler the stack
			// passes in.
			name: "the stand-in's HTTP side never reaches its SIP side",
			from: under("internal/wazostandin/httpside"), transitive: true,
			forbidden: local("internal/wazostandin/sipside", "internal/wazostandin/media"),
		},
		{
			name: "wazo is a pure API client",
			from: under("wazo"), transitive: true,
			forbidden: local(append([]string{"phone", "audio", "conference", "wazoline", "internal/sipua", "internal/rtc", "internal/wazostandin"}, frontEnds...)...),
		},
		{
			// The GUI wires them to the phone and the conference backend
			// (Recorder takes MergedInto as a func), so they stay testable
			// with the phone double alone.
			name: "history and contacts sit beside the engine, below every front end",
			from: under("internal/history", "internal/contacts"), transitive: true,
			forbidden: local(append([]string{"conference", "wazo", "wazoline", "phoneaudio"}, frontEnds...)...),
		},
		{
			name: "the engine's layers never reach up to a front end",
			from: under("phone", "audio", "phoneaudio", "wazo", "wazoline", "conference", "desk", "internal/sipua", "internal/rtc"), transitive: true,
			forbidden: local(frontEnds...),
		},
	}
}

// listPackages runs `go list -deps=false -json` over the module.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "-deps=false", module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules() {
		t.Run(r.name, func(t *testing.T) {
			matched := 0
			for _, p := range pkgs {
				if !r.from(p.ImportPath) {
					continue
				}
				matched++
				for _, dep := range r.violations(p) {
					t.Errorf("%s reaches %s", strings.TrimPrefix(p.ImportPath, module+"/"), dep)
				}
			}
			if matched == 0 {
				t.Errorf("the rule matches no package: was a package renamed?")
			}
		})
	}
}

// TestRulesCatchViolations keeps the checker itself honest: a rule must
// fire on a package that breaks it.
func TestRulesCatchViolations(t *testing.T) {
	cases := []struct {
		pkg  pkg
		rule string
	}{
		{pkg{ImportPath: module + "/phone", Imports: []string{module + "/conference"}}, "phone knows nothing of conferences, front ends, Wazo or the stand-in"},
		{pkg{ImportPath: module + "/audio", Deps: []string{module + "/phone"}}, "audio sits below phone"},
		{pkg{ImportPath: module + "/headless", TestImports: []string{"fyne.io/fyne/v2/test"}}, "only gui imports Fyne"},
		{pkg{ImportPath: module + "/internal/wazostandin/sipside", Deps: []string{module + "/internal/rtc"}}, "the stand-in shares no media or SDP code with Parley"},
		{pkg{ImportPath: module + "/internal/wazostandin/callmodel", Deps: []string{"net/http"}}, "the stand-in's call model speaks neither SIP nor HTTP"},
		{pkg{ImportPath: module + "/internal/wazostandin/callmodel", Imports: []string{module + "/internal/wazostandin/sipside"}}, "the stand-in's call model speaks neither SIP nor HTTP"},
		{pkg{ImportPath: module + "/internal/wazostandin/sipside", Deps: []string{module + "/internal/wazostandin/httpside"}}, "the stand-in's SIP side never reaches its HTTP side"},
		{pkg{ImportPath: module + "/internal/wazostandin/httpside", Imports: []string{module + "/internal/wazostandin/sipside"}}, "the stand-in's HTTP side never reaches its SIP side"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			for _, r := range rules() {
				if r.name != c.rule {
					continue
				}
				if !r.from(c.pkg.ImportPath) {
					t.Fatalf("rule does not apply to %s", c.pkg.ImportPath)
				}
				if len(r.violations(c.pkg)) == 0 {
					t.Fatalf("rule %q did not fire", r.name)
				}
				return
			}
			t.Fatalf("no rule named %q", c.rule)
		})
	}
}
