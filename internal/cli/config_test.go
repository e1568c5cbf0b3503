package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "account.json")
	if err := os.WriteFile(file, []byte(`{"transport":"tcp","server":"file.example","username":"fromfile","password":"filepw","display_name":"File"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"server": 12}`), 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "unknown.json")
	if err := os.WriteFile(unknown, []byte(`{"servr": "typo.example"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantServer string
		wantUser   string
		wantTrans  string
		wantErr    string
	}{
		{name: "file only", args: []string{"-config", file}, wantServer: "file.example", wantUser: "fromfile", wantTrans: "tcp"},
		{name: "env beats file", args: []string{"-config", file}, env: map[string]string{"PARLEY_USER": "fromenv"}, wantServer: "file.example", wantUser: "fromenv", wantTrans: "tcp"},
		{name: "flag beats env", args: []string{"-config", file, "-user", "fromflag"}, env: map[string]string{"PARLEY_USER": "fromenv"}, wantServer: "file.example", wantUser: "fromflag", wantTrans: "tcp"},
		{name: "env only defaults to udp", env: map[string]string{"PARLEY_SERVER": "pbx", "PARLEY_USER": "1001"}, wantServer: "pbx", wantUser: "1001", wantTrans: "udp"},
		{name: "missing explicit file", args: []string{"-config", filepath.Join(dir, "nope.json")}, wantErr: "does not exist"},
		{name: "malformed file", args: []string{"-config", bad}, wantErr: "not valid"},
		{name: "misspelt field", args: []string{"-config", unknown}, wantErr: "servr"},
		{name: "stray argument", args: []string{"call-me"}, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"XDG_CONFIG_HOME": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "empty"))
			s, err := Parse(tt.args, func(k string) string { return env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Account.Server != tt.wantServer || s.Account.Username != tt.wantUser || s.Account.Transport != tt.wantTrans {
				t.Fatalf("got %+v", s.Account)
			}
		})
	}
}

func TestParseLanguage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "none: the system's", want: ""},
		{name: "environment", env: map[string]string{"PARLEY_LANG": "fr"}, want: "fr"},
		{name: "flag", args: []string{"-lang", "fr"}, want: "fr"},
		{name: "flag beats environment", args: []string{"-lang", "en"}, env: map[string]string{"PARLEY_LANG": "fr"}, want: "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			s, err := Parse(append(tt.args, "-server", "pbx", "-user", "1001"), func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if s.Language != tt.want {
				t.Fatalf("language %q, want %q", s.Language, tt.want)
			}
		})
	}
}

func TestParseBadFlagIsUsage(t *testing.T) {
	_, err := Parse([]string{"-no-such-flag"}, func(string) string { return "" }, io.Discard)
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("got %v, want ErrUsage", err)
	}
}

func TestParseWazoAccount(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wazo.json")
	if err := os.WriteFile(file, []byte(`{"username":"agent7","password":"pw","wazo":{"server":"wazo.example.com","certificate_sha256":"ab:cd"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]string{"-config", file}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.Wazo.Server != "wazo.example.com" || s.Wazo.CertificatePin != "ab:cd" || s.Account.Username != "agent7" || !s.HasAccount() {
		t.Fatalf("got %+v", s)
	}
	if s.Account.Transport != "" {
		t.Fatalf("a Wazo account must not default to a SIP transport, got %q", s.Account.Transport)
	}
	s, err = Parse([]string{"-wazo", "pbx:8443", "-user", "u"}, func(k string) string { return map[string]string{"PARLEY_WAZO_PIN": "ff"}[k] }, io.Discard)
	if err != nil || s.Wazo.Server != "pbx:8443" || s.Wazo.CertificatePin != "ff" {
		t.Fatalf("flags/env: %+v %v", s.Wazo, err)
	}
}
