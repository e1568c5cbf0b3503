package instance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestForwardToListener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p", "instance.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	links, err := Listen(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory: %v %v", st.Mode(), err)
	}
	cases := []struct {
		link   string
		wantOK bool
	}{
		{"sip:1002@pbx", true},
		{"tel:+15550100", true},
		{"tel:1\nINVITE", false},
		{strings.Repeat("1", maxLink+1), false},
	}
	for _, c := range cases {
		ok, _ := Forward(path, c.link)
		if ok != c.wantOK {
			t.Fatalf("Forward(%.20q) = %v, want %v", c.link, ok, c.wantOK)
		}
		if !ok {
			continue
		}
		select {
		case got := <-links:
			if got != c.link {
				t.Fatalf("received %q, want %q", got, c.link)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("nothing received")
		}
	}
	if _, err := Listen(ctx, path); err == nil {
		t.Fatal("a second listener started beside the first")
	}
}

func TestForwardWithoutListener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "instance.sock")
	if ok, err := Forward(path, "tel:1"); ok || err != nil {
		t.Fatalf("Forward with nobody listening = %v, %v", ok, err)
	}
	// A stale socket file from a crashed instance is replaced.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	links, err := Listen(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Forward(path, "tel:2"); !ok || err != nil {
		t.Fatalf("Forward = %v, %v", ok, err)
	}
	if got := <-links; got != "tel:2" {
		t.Fatalf("got %q", got)
	}
	cancel()
	for range links {
	}
	if ok, _ := Forward(path, "tel:3"); ok {
		t.Fatal("a closed listener still took a link")
	}
}

func TestDefaultPath(t *testing.T) {
	got := DefaultPath(func(k string) string { return map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}[k] })
	if got != "/run/user/1000/parley/instance.sock" {
		t.Fatalf("DefaultPath = %q", got)
	}
	if DefaultPath(func(string) string { return "" }) == "" {
		t.Fatal("no fallback path")
	}
}
