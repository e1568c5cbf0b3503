//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestXDGAutostart(t *testing.T) {
	dir := t.TempDir()
	e, err := New(WithExecutable("/opt/Parley Softphone/parley"), WithDirs(dir, dir))
	if err != nil {
		t.Fatal(err)
	}
	if on, err := e.Enabled(); on || err != nil {
		t.Fatalf("enabled before Enable: %v, %v", on, err)
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "autostart", desktopFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nExec=\"/opt/Parley Softphone/parley\" -minimized\n") {
		t.Errorf("entry:\n%s", data)
	}
	if on, err := e.Enabled(); !on || err != nil {
		t.Fatalf("enabled after Enable: %v, %v", on, err)
	}
	// A user who hid the entry in their desktop's settings has it off.
	if err := os.WriteFile(filepath.Join(dir, "autostart", desktopFile), append(data, []byte("Hidden=true\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if on, _ := e.Enabled(); on {
		t.Error("a Hidden=true entry counts as enabled")
	}
	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}
	if on, _ := e.Enabled(); on {
		t.Error("still enabled after Disable")
	}
}

func TestDesktopExec(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"/usr/bin/parley", "-minimized"}, "/usr/bin/parley -minimized"},
		{[]string{"/home/a b/parley"}, `"/home/a b/parley"`},
		{[]string{`/x/$HOME"q"/100%`}, `"/x/\$HOME\"q\"/100%%"`},
	}
	for _, tt := range tests {
		if got := desktopExec(tt.args); got != tt.want {
			t.Errorf("desktopExec(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}
