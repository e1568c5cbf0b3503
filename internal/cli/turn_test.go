package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/secrets"
)

const turnPassword = "turn-hunter2"

func TestParseTURN(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file := write("account.json", `{"server":"pbx.example.com","username":"1001","turn":{"url":"turn:relay.example.com:3478","username":"ann"}}`)
	withPassword := write("pw.json", `{"server":"pbx.example.com","username":"1001","turn":{"url":"turn:relay.example.com","username":"ann","password":"x"}}`)
	tests := []struct {
		name                string
		args                []string
		env                 map[string]string
		wantURL, wantUser   string
		wantPassword, error string
	}{
		{name: "file", args: []string{"-config", file}, wantURL: "turn:relay.example.com:3478", wantUser: "ann"},
		{name: "env password", args: []string{"-config", file}, env: map[string]string{"PARLEY_TURN_PASSWORD": turnPassword},
			wantURL: "turn:relay.example.com:3478", wantUser: "ann", wantPassword: turnPassword},
		{name: "flags beat file", args: []string{"-config", file, "-turn", "turns:other.example.com:5349", "-turn-user", "bob"},
			wantURL: "turns:other.example.com:5349", wantUser: "bob"},
		{name: "env beats file", args: []string{"-config", file}, env: map[string]string{"PARLEY_TURN": "turn:env.example.com", "PARLEY_TURN_USER": "eve"},
			wantURL: "turn:env.example.com", wantUser: "eve"},
		{name: "not a turn URL", args: []string{"-config", file, "-turn", "stun:relay.example.com"}, error: "not a turn:"},
		{name: "password in the file", args: []string{"-config", withPassword}, error: "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.error != "" {
				if err == nil || !strings.Contains(err.Error(), tc.error) {
					t.Fatalf("err %v, want %q", err, tc.error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Line.TURN != tc.wantURL || s.Line.TURNUser != tc.wantUser || s.Line.TURNPassword != tc.wantPassword {
				t.Fatalf("line %q %q %q", s.Line.TURN, s.Line.TURNUser, s.Line.TURNPassword)
			}
			got := turnServers(s.Line)
			if len(got) != 1 || got[0].URL != tc.wantURL || got[0].Username != tc.wantUser || got[0].Credential != tc.wantPassword {
				t.Fatalf("rtc TURN %+v", got)
			}
		})
	}
	if err := func() error {
		_, err := Parse([]string{"-config", file, "-turn", "relay.example.com"}, func(string) string { return "" }, io.Discard)
		return err
	}(); !errors.Is(err, ErrUsage) {
		t.Fatalf("bad -turn: %v, want ErrUsage", err)
	}
}

// The TURN password reaches the settings from the keyring, the way the SIP
// password does, and -show-config never prints it.
func TestTURNPasswordFromTheKeyring(t *testing.T) {
	keyring.MockInit()
	store := secrets.NewKeyring(secrets.WithService("parley-turn-test"))
	path := filepath.Join(t.TempDir(), "account.json")
	if err := os.WriteFile(path, []byte(`{"server":"pbx.example.com","username":"1001","turn":{"url":"turn:relay.example.com","username":"ann"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]string{"-config", path}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Set(accountID(s), secrets.TURNPassword, turnPassword); err != nil {
		t.Fatal(err)
	}
	useSecrets(store, &s, io.Discard)
	if s.Line.TURNPassword != turnPassword {
		t.Fatalf("TURN password %q", s.Line.TURNPassword)
	}
	var out bytes.Buffer
	if err := showConfig(&out, s); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), turnPassword) || !strings.Contains(out.String(), "turn:relay.example.com") {
		t.Fatalf("-show-config:\n%s", out.String())
	}
}

// The sign-in window's TURN fields reach the settings; the account file
// written after the sign-in has the URL and user, never the password, and
// the next start's form shows them again.
func TestSignInTURNRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "account.json")
	in := gui.SignIn{Kind: gui.AccountSIP, Transport: "udp", Server: "pbx.example.com", Username: "1001", Password: "pw",
		TURN: "turn:relay.example.com:3478", TURNUser: "ann", TURNPassword: turnPassword}
	s := settingsFor(Settings{ConfigPath: path}, in)
	if got := turnServers(s.Line); len(got) != 1 || got[0].Credential != turnPassword || got[0].Username != "ann" {
		t.Fatalf("rtc TURN %+v", got)
	}
	if err := saveAccount(s); err != nil {
		t.Fatal(err)
	}
	if err := rememberAccount(s); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, accountListPath(path)} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), turnPassword) || !strings.Contains(string(data), "turn:relay.example.com:3478") {
			t.Fatalf("%s:\n%s", p, data)
		}
	}
	again, err := Parse([]string{"-config", path}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	form := savedSignIn(again)
	if form.TURN != in.TURN || form.TURNUser != in.TURNUser || form.TURNPassword != "" {
		t.Fatalf("next form %+v", form)
	}
	list, err := readAccountList(accountListPath(path))
	if err != nil || len(list) != 1 || list[0].signIn().TURN != in.TURN || list[0].signIn().TURNUser != "ann" {
		t.Fatalf("saved accounts %+v, %v", list, err)
	}
	// A Wazo sign-in drops the SIP line's relay.
	if w := settingsFor(s, gui.SignIn{Kind: gui.AccountWazo, Server: "wazo.example.com", Username: "a"}); w.Line.TURN != "" || w.Line.TURNPassword != "" {
		t.Fatalf("wazo line %+v", w.Line)
	}
}
