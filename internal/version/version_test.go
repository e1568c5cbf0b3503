package version

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var semver = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+([-+~][0-9A-Za-z.~+-]+)?$`)

func TestStringIsTheVersionFile(t *testing.T) {
	got := String()
	if !semver.MatchString(got) {
		t.Fatalf("String() = %q, want a version like 1.2.3", got)
	}
	if stamped == "" && got != strings.TrimSpace(file) {
		t.Fatalf("String() = %q, want the VERSION file's %q", got, strings.TrimSpace(file))
	}
}

// The Fyne metadata carries a version too (fyne package reads it for the
// macOS bundle); it must never drift from the one version.
func TestFyneAppTomlAgrees(t *testing.T) {
	data, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]*)"`).FindSubmatch(data)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	if want := strings.TrimSpace(file); string(m[1]) != want {
		t.Fatalf("FyneApp.toml Version = %q, VERSION file says %q: change both", m[1], want)
	}
}

func TestInfoString(t *testing.T) {
	cases := []struct {
		in   Info
		want string
	}{
		{Info{Version: "1.2.3", Go: "go1.26.8", Platform: "linux/amd64"}, "Parley 1.2.3 (go1.26.8, linux/amd64)"},
		{Info{Version: "1.2.3", Commit: "0123456789ab", Go: "go1.26.8", Platform: "windows/amd64"}, "Parley 1.2.3 (commit 0123456789ab, go1.26.8, windows/amd64)"},
		{Info{Version: "1.2.3", Commit: "0123456789ab", Modified: true, Go: "go1", Platform: "darwin/arm64"}, "Parley 1.2.3 (commit 0123456789ab+modified, go1, darwin/arm64)"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestGet(t *testing.T) {
	in := Get()
	if in.Version != String() || in.Go == "" || !strings.Contains(in.Platform, "/") {
		t.Fatalf("Get() = %+v", in)
	}
}
