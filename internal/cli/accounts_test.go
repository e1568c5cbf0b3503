package cli

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/secrets"
	"github.com/parley-voip/parley/phone"
)

func TestSavedAccountsNewestFirstWithKeyringPasswords(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "account.json")
	sip := Settings{ConfigPath: cfg, Account: phone.Account{Transport: "tls", Server: "pbx.example.com", Username: "1001", DisplayName: "Ann"}}
	wazo := Settings{ConfigPath: cfg, Account: phone.Account{Username: "alice"}, Wazo: WazoSettings{Server: "wazo.example.com", CertificatePin: "ab12"}}
	for _, s := range []Settings{sip, wazo, sip} { // sip again: moves first, not twice
		if err := rememberAccount(s); err != nil {
			t.Fatal(err)
		}
	}
	keyring.MockInit()
	store := secrets.NewKeyring(secrets.WithService("parley-accounts-test"))
	if err := store.Set(accountID(wazo), secrets.Password, "wazo-pw"); err != nil {
		t.Fatal(err)
	}
	flow := &signInFlow{base: Settings{ConfigPath: cfg}, stderr: io.Discard, secrets: store}
	got := flow.savedAccounts()
	if len(got) != 2 {
		t.Fatalf("saved accounts %+v", got)
	}
	if a := got[0]; a.Kind != gui.AccountSIP || a.Server != "pbx.example.com" || a.Username != "1001" || a.Transport != "tls" || a.DisplayName != "Ann" || a.Password != "" {
		t.Errorf("first saved account %+v", a)
	}
	if a := got[1]; a.Kind != gui.AccountWazo || a.Server != "wazo.example.com" || a.CertificatePin != "ab12" || a.Password != "wazo-pw" {
		t.Errorf("second saved account %+v", a)
	}
}
