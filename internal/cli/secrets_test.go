package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/parley-voip/parley/internal/fleet"
	"github.com/parley-voip/parley/internal/secrets"
)

// TestAccountFileHoldsNoSecret: the account file Parley itself writes (the
// pre-filled first-start file) never holds the password, even when one was
// given on the command line or in the environment.
func TestAccountFileHoldsNoSecret(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	const password = "hunter2-typed-at-the-prompt"
	env := map[string]string{"PARLEY_PASSWORD": password, "PARLEY_USER": "agent7"}
	fl := fleet.File{Config: fleet.Config{AccountType: "wazo", Server: "wazo.corp"}}
	s, err := parse(nil, func(k string) string { return env[k] }, io.Discard, func(func(string) string) (fleet.File, error) { return fl, nil })
	if err != nil {
		t.Fatal(err)
	}
	if s.Account.Password != password {
		t.Fatalf("the password did not reach the settings: %+v", s.Account)
	}
	if err := prefillAccountFile(s); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(home, "parley", "account.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), password) {
		t.Errorf("the account file holds the password:\n%s", data)
	}
	// The field is there, empty: today's pre-filled file invites the agent
	// to type the password into it (docs/deploy.md). It must stay empty.
	var f accountFile
	if err := json.Unmarshal(data, &f); err != nil || f.Password != "" {
		t.Errorf("account file %s: %v", data, err)
	}
}

// TestMigratedAccountFileStillReads: an account file with a password typed
// into it (the way docs/headless.md described until now) is migrated by
// internal/secrets; the result still passes this package's strict reader
// (unknown fields refused), without the password, and the keyring holds it
// under the id AccountID gives for the settings read.
func TestMigratedAccountFileStillReads(t *testing.T) {
	keyring.MockInit()
	for name, content := range map[string]string{
		"sip":  `{"transport":"tls","server":"pbx.example.com:5061","username":"1001","password":"hunter2","display_name":"Agent 1001","register_expiry_seconds":300}`,
		"wazo": `{"username":"alice","password":"hunter2","wazo":{"server":"wazo.example.com","certificate_sha256":"ab12"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "account.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			store := secrets.NewKeyring(secrets.WithService("parley-cli-test"))
			account, moved, err := secrets.MigrateAccountFile(path, store)
			if err != nil || !moved {
				t.Fatalf("migrate: moved=%v, %v", moved, err)
			}
			acct, wz, _, _, err := readAccountFile(path)
			if err != nil {
				t.Fatalf("the migrated file no longer reads: %v", err)
			}
			if acct.Password != "" {
				t.Errorf("password still read from the file: %q", acct.Password)
			}
			if acct.Username == "" || (acct.Server == "" && wz.Server == "") {
				t.Errorf("fields lost: %+v %+v", acct, wz)
			}
			if want := secrets.AccountID(acct.Username, acct.Server, wz.Server); want != account {
				t.Errorf("stored under %q, but the settings read give %q", account, want)
			}
			if got, err := store.Get(account, secrets.Password); err != nil || got != "hunter2" {
				t.Errorf("keyring: %q, %v", got, err)
			}
			data, _ := os.ReadFile(path)
			if strings.Contains(string(data), "hunter2") {
				t.Errorf("the file still holds the password:\n%s", data)
			}
		})
	}
}
