package cli

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/fleet"
	"github.com/parley-voip/parley/phone/phonetest"
)

func TestParseIntegration(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "account.json")
	if err := os.WriteFile(file, []byte(`{"server":"pbx","username":"1001","local_api":"on","local_api_address":"127.0.0.1:7400","screen_pop_url":"https://crm.example.com/?n={number}","screen_pop_on":"answer"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		fleet   fleet.File
		want    string
		wantErr string
	}{
		{name: "off by default", args: []string{"-server", "pbx", "-user", "1"}, want: "off"},
		{name: "from the file", args: []string{"-config", file}, want: "on"},
		{name: "the flag beats the file", args: []string{"-config", file, "-local-api", "off"}, want: "off"},
		{name: "the environment", args: []string{"-server", "pbx", "-user", "1"}, env: map[string]string{"PARLEY_LOCAL_API": "on"}, want: "on"},
		{name: "a locked fleet beats the user", args: []string{"-config", file}, fleet: fleet.File{Config: fleet.Config{LocalAPI: "off"}, Locked: []string{"local_api"}}, want: "off"},
		{name: "a typo", args: []string{"-server", "pbx", "-user", "1", "-local-api", "yes"}, wantErr: "use on or off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "empty"))
			load := func(func(string) string) (fleet.File, error) { return tt.fleet, nil }
			s, err := parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard, load)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Integration.LocalAPI != tt.want {
				t.Errorf("local API %q, want %q", s.Integration.LocalAPI, tt.want)
			}
		})
	}
	s, err := parse([]string{"-config", file}, func(string) string { return "" }, io.Discard, func(func(string) string) (fleet.File, error) { return fleet.File{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	if in := s.Integration; in.LocalAPIAddress != "127.0.0.1:7400" || in.ScreenPopURL != "https://crm.example.com/?n={number}" || in.ScreenPopOn != "answer" {
		t.Errorf("integration settings from the file: %+v", in)
	}
}

// The window's line with the local API on: a program with the token places
// a call, one without is refused; the screen pop runs its program with the
// caller's number; closing the line stops both.
func TestStartIntegration(t *testing.T) {
	e := phonetest.New()
	defer e.Close()
	dir := t.TempDir()
	closed := false
	sess := &session{api: e, close: func() { closed = true }}
	in := IntegrationSettings{
		LocalAPI: "on", LocalAPIAddress: "127.0.0.1:0",
		ScreenPopCommand: []string{"touch", filepath.Join(dir, "pop-{number}")}, ScreenPopOn: "ring",
	}
	tokenPath := filepath.Join(dir, "token")
	var stderr strings.Builder
	if w := startIntegration(sess, in, slog.New(slog.DiscardHandler), &stderr, tokenPath); len(w) != 0 {
		t.Fatalf("%d warnings", len(w))
	}
	// "parley: local control API on http://127.0.0.1:NNNN (token in …)"
	line := stderr.String()
	start := strings.Index(line, "http://")
	if start < 0 {
		t.Fatalf("stderr %q names no address", line)
	}
	base := strings.Fields(line[start:])[0]
	token, err := os.ReadFile(tokenPath)
	if err != nil {
		t.Fatal(err)
	}
	post := func(auth string) int {
		req, _ := http.NewRequest("POST", base+"/v1/commands", strings.NewReader(`{"cmd":"call","number":"1002","id":"1"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d", code)
	}
	if code := post(strings.TrimSpace(string(token))); code != http.StatusOK {
		t.Errorf("with the token: %d", code)
	}
	if !slices.Contains(e.Ops(), "Call 1002") {
		t.Errorf("the phone did %q", e.Ops())
	}

	e.Ring("0612345678", "Alice")
	popped := filepath.Join(dir, "pop-0612345678")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(popped); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the screen pop never ran its program with the number")
		}
		time.Sleep(20 * time.Millisecond)
	}

	sess.close()
	if !closed {
		t.Error("the line was not closed")
	}
	if _, err := http.Post(base+"/v1/commands", "application/json", strings.NewReader(`{}`)); err == nil {
		t.Error("the API still answers after the line closed")
	}
}
