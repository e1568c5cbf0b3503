package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/secrets"
	"github.com/parley-voip/parley/internal/testrig"
	"github.com/parley-voip/parley/phone"
)

// The SIP form of the sign-in window against real peers: kamailio takes
// the registration, a sipp registrar refuses the password, and nothing
// listens on a dead port.
func TestSignInFlowSIPAccount(t *testing.T) {
	testrig.Require(t, "kamailio", "kamcmd", "sipp")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	keyring.MockInit()
	store := secrets.NewKeyring(secrets.WithService("parley-sip-signin-test"))
	newFlow := func() *signInFlow {
		f := &signInFlow{ctx: ctx, base: Settings{Audio: audioOff, LocalIP: "127.0.0.1", ConfigPath: filepath.Join(t.TempDir(), "account.json")},
			logger: slog.New(slog.DiscardHandler), stderr: io.Discard, started: func(*session) {}, secrets: store}
		t.Cleanup(f.close)
		return f
	}

	k := testrig.StartKamailio(t)
	line, err := newFlow().connect(ctx, gui.SignIn{Kind: gui.AccountSIP, Transport: "udp", Server: k.UDPAddr, Username: "1001", Password: "pw", DisplayName: "Ann",
		TURN: "turn:127.0.0.1:3478", TURNUser: "ann", TURNPassword: "turn-pw"})
	if err != nil {
		t.Fatalf("signing in to kamailio: %v", err)
	}
	// A successful sign-in keeps the TURN password in the keyring.
	if got, err := store.Get(secrets.AccountID("1001", k.UDPAddr, ""), secrets.TURNPassword); err != nil || got != "turn-pw" {
		t.Fatalf("keyring TURN password %q, %v", got, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for line.API.Registration().State != phone.RegRegistered {
		if time.Now().After(deadline) {
			t.Fatalf("not registered: %+v", line.API.Registration())
		}
		time.Sleep(20 * time.Millisecond)
	}
	k.WaitContacts(t, "1001", 1, 10*time.Second)

	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: filepath.Join("..", "..", "phone", "testdata", "sipp", "registrar_wrong_password.xml")})
	_, err = newFlow().connect(ctx, gui.SignIn{Kind: gui.AccountSIP, Transport: "udp", Server: s.Addr(), Username: "1001", Password: "bad"})
	var se *gui.SignInError
	if !errors.As(err, &se) || se.Reason != gui.ReasonWrongPassword || se.Field != "password" {
		t.Fatalf("wrong password: %v (%+v)", err, se)
	}

	dead := "127.0.0.1:" + strconv.Itoa(testrig.FreePort(t, "tcp"))
	_, err = newFlow().connect(ctx, gui.SignIn{Kind: gui.AccountSIP, Transport: "tcp", Server: dead, Username: "1001", Password: "pw"})
	if !errors.As(err, &se) || se.Reason != gui.ReasonUnreachable || !se.Retry {
		t.Fatalf("dead server: %v (%+v)", err, se)
	}
}
