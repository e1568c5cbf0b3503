package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-voip/parley/internal/fleet"
)

func TestParseWithFleet(t *testing.T) {
	wazoFleet := fleet.File{Config: fleet.Config{AccountType: "wazo", Server: "wazo.corp", CertificatePin: "ab", Audio: "null"}, Path: "/etc/parley/parley.json"}
	lockedFleet := wazoFleet
	lockedFleet.Locked = []string{"server", "account_type"}
	sipFleet := fleet.File{Config: fleet.Config{Server: "pbx.corp", Transport: "tls"}}
	cases := []struct {
		name       string
		fleet      fleet.File
		args       []string
		env        map[string]string
		wantWazo   string
		wantSIP    string
		wantTrans  string
		wantAudio  string
		wantNew    bool
		overridden []string
	}{
		{name: "no fleet, no account", wantAudio: "auto"},
		{name: "first start pre-filled from a Wazo fleet", fleet: wazoFleet, wantWazo: "wazo.corp", wantAudio: "null", wantNew: true},
		{name: "flag beats an unlocked fleet value", fleet: wazoFleet, args: []string{"-wazo", "mine.example", "-audio", "auto"}, wantWazo: "mine.example", wantAudio: "auto", wantNew: true},
		{name: "locked server wins over the flag", fleet: lockedFleet, args: []string{"-wazo", "mine.example"}, wantWazo: "wazo.corp", wantAudio: "null", wantNew: true, overridden: []string{"server"}},
		{name: "locked type turns a SIP user into Wazo", fleet: lockedFleet, env: map[string]string{"PARLEY_SERVER": "pbx"}, wantWazo: "wazo.corp", wantAudio: "null", wantNew: true, overridden: []string{"account_type", "server"}},
		{name: "SIP fleet without a type", fleet: sipFleet, env: map[string]string{"PARLEY_USER": "1001"}, wantSIP: "pbx.corp", wantTrans: "tls", wantAudio: "auto", wantNew: true},
		{name: "SIP fleet, udp default only without a fleet transport", fleet: fleet.File{Config: fleet.Config{Server: "pbx.corp"}}, wantSIP: "pbx.corp", wantTrans: "udp", wantAudio: "auto", wantNew: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			load := func(func(string) string) (fleet.File, error) { return c.fleet, nil }
			s, err := parse(c.args, func(k string) string { return c.env[k] }, io.Discard, load)
			if err != nil {
				t.Fatal(err)
			}
			if s.Wazo.Server != c.wantWazo || s.Account.Server != c.wantSIP || s.Account.Transport != c.wantTrans || s.Audio != c.wantAudio {
				t.Errorf("wazo %q sip %q transport %q audio %q; want %q %q %q %q", s.Wazo.Server, s.Account.Server, s.Account.Transport, s.Audio, c.wantWazo, c.wantSIP, c.wantTrans, c.wantAudio)
			}
			if s.NewAccountFile != c.wantNew {
				t.Errorf("NewAccountFile = %v, want %v", s.NewAccountFile, c.wantNew)
			}
			if !reflect.DeepEqual(s.FleetOverridden, c.overridden) {
				t.Errorf("overridden %v, want %v", s.FleetOverridden, c.overridden)
			}
		})
	}
}

func TestFirstStartWritesThePrefilledAccount(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	fl := fleet.File{Config: fleet.Config{AccountType: "wazo", Server: "wazo.corp", CertificatePin: "ab:cd"}}
	s, err := parse(nil, func(string) string { return "" }, io.Discard, func(func(string) string) (fleet.File, error) { return fl, nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := prefillAccountFile(s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "parley", "account.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f accountFile
	if err := json.Unmarshal(data, &f); err != nil || f.Wazo == nil || f.Wazo.Server != "wazo.corp" || f.Wazo.CertificatePin != "ab:cd" {
		t.Fatalf("account file %s: %v", data, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	// The second start reads it as the user's own and does not rewrite it.
	if err := os.WriteFile(path, []byte(`{"username":"agent7","password":"pw","wazo":{"server":"wazo.corp"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = parse(nil, func(string) string { return "" }, io.Discard, func(func(string) string) (fleet.File, error) { return fl, nil })
	if err != nil || s.NewAccountFile || s.Account.Username != "agent7" || s.Wazo.CertificatePin != "ab:cd" || !s.hasCredentials() {
		t.Fatalf("second start: %+v, %v", s, err)
	}
	if err := prefillAccountFile(s); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "agent7") {
		t.Fatalf("the user's file was rewritten: %s", data)
	}
}

func TestBrokenFleetFileStopsStart(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, err := parse(nil, func(string) string { return "" }, io.Discard, func(func(string) string) (fleet.File, error) {
		return fleet.File{}, fleet.ErrInvalid
	})
	if err == nil {
		t.Fatal("a broken fleet file was ignored")
	}
}

func TestShowConfigHidesThePassword(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errOut strings.Builder
	t.Setenv("PARLEY_PASSWORD", "hunter2")
	if rc := Main([]string{"-show-config", "-server", "pbx", "-user", "1001"}, strings.NewReader(""), &out, &errOut); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errOut.String())
	}
	if strings.Contains(out.String(), "hunter2") || !strings.Contains(out.String(), `"server": "pbx"`) {
		t.Fatalf("show-config: %s", out.String())
	}
}
