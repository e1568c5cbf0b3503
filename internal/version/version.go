// Package version is the one version of the whole product: the binary's
// -version output, the About box, every package's metadata and the Windows
// version resource all come from here or from the VERSION file beside it.
//
// Release builds stamp the version with
//
//	go build -ldflags "-X github.com/parley-voip/parley/internal/version.stamped=0.1.0"
//
// (the Makefile does this from the VERSION file); a plain go build reports
// the VERSION file's value, so a developer's binary never says "unknown".
package version

import (
	_ "embed"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

//go:embed VERSION
var file string

// stamped and stampedCommit are set at link time by -ldflags -X (the
// release scripts set both; the commit too because builds may run with
// -buildvcs=false). They are package variables only because -X can set
// nothing else; nothing writes them at run time.
var (
	stamped       string
	stampedCommit string
)

// String returns the product version, e.g. "0.1.0", without a leading "v".
func String() string {
	if v := strings.TrimSpace(stamped); v != "" {
		return strings.TrimPrefix(v, "v")
	}
	return strings.TrimSpace(file)
}

// Info is what a bug report needs beside the version.
type Info struct {
	Version string
	// Commit is the VCS revision the binary was built from (first 12 hex
	// digits), empty when the build had no VCS information.
	Commit string
	// Modified reports uncommitted changes in the build's work tree.
	Modified bool
	// Go is the toolchain that built the binary; Platform is GOOS/GOARCH.
	Go       string
	Platform string
}

// Get returns the version with the build's details.
func Get() Info {
	in := Info{Version: String(), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	in.Commit = stampedCommit
	if bi, ok := debug.ReadBuildInfo(); ok && in.Commit == "" {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Commit = s.Value
				if len(in.Commit) > 12 {
					in.Commit = in.Commit[:12]
				}
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	return in
}

// String formats the details on one line, as "parley -version" prints them:
// "Parley 0.1.0 (commit 0123456789ab, go1.26.8, linux/amd64)".
func (in Info) String() string {
	details := []string{}
	if in.Commit != "" {
		c := "commit " + in.Commit
		if in.Modified {
			c += "+modified"
		}
		details = append(details, c)
	}
	details = append(details, in.Go, in.Platform)
	return fmt.Sprintf("Parley %s (%s)", in.Version, strings.Join(details, ", "))
}
