package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/parley-voip/parley/gui"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/secrets"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazo"
)

// The sign-in flow against the real Wazo stand-in: each start-up failure
// comes back as what the window shows, and trusting the fingerprint shown
// signs in.
func TestSignInFlowAgainstTheStandIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cfg := filepath.Join(t.TempDir(), "parley", "account.json")
	keyring.MockInit() // go-keyring's in-process backend
	store := secrets.NewKeyring(secrets.WithService("parley-signin-test"))
	var started int
	flow := &signInFlow{
		ctx:     ctx,
		base:    Settings{Audio: audioOff, ConfigPath: cfg},
		logger:  slog.New(slog.DiscardHandler),
		stderr:  io.Discard,
		started: func(*session) { started++ },
		secrets: store,
	}
	defer flow.close()
	wantPin := hex.EncodeToString(func() []byte { s := d.CertificateSHA256(); return s[:] }())

	// An untrusted certificate: the error carries the server's fingerprint.
	form := gui.SignIn{Kind: gui.AccountWazo, Server: d.Host(), Username: d.Username(), Password: "wrong"}
	_, err = flow.connect(ctx, form)
	var se *gui.SignInError
	if !errors.As(err, &se) || se.Certificate == nil {
		t.Fatalf("unpinned sign-in: %v, want an untrusted-certificate error", err)
	}
	if se.Certificate.Pin != wantPin || se.Certificate.Fingerprint != wazo.FormatFingerprint(d.CertificateSHA256()) {
		t.Fatalf("certificate shown %+v, the server's is %s", se.Certificate, wantPin)
	}
	if !strings.Contains(se.Problem, "does not trust the certificate of "+d.Host()) {
		t.Errorf("problem = %q", se.Problem)
	}

	// Trusted now, but the password is wrong.
	form.CertificatePin = se.Certificate.Pin
	_, err = flow.connect(ctx, form)
	if !errors.As(err, &se) || se.Problem != "Wrong login or password." || se.Field != "password" || se.Certificate != nil {
		t.Fatalf("wrong password: %v (%+v)", err, se)
	}

	// Right password: signed in, and the account saved without it.
	form.Password = d.Password()
	line, err := flow.connect(ctx, form)
	if err != nil {
		t.Fatal(err)
	}
	if started != 1 {
		t.Errorf("started ran %d times", started)
	}
	deadline := time.Now().Add(30 * time.Second)
	for line.API.Registration().State != phone.RegRegistered {
		if time.Now().After(deadline) {
			t.Fatalf("the line never registered: %+v", line.API.Registration())
		}
		time.Sleep(20 * time.Millisecond)
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var onDisk map[string]any
	if err := json.Unmarshal(data, &onDisk); err != nil {
		t.Fatal(err)
	}
	if _, has := onDisk["password"]; has {
		t.Fatalf("the saved account holds the password:\n%s", data)
	}
	saved, err := Parse([]string{"-config", cfg}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if next := savedSignIn(saved); next.Kind != gui.AccountWazo || next.Server != d.Host() || next.Username != d.Username() || next.CertificatePin != wantPin || next.Password != "" {
		t.Fatalf("the file alone fills in %+v", next)
	}
	// The next start finds the password in the keyring: it signs in by
	// itself.
	useSecrets(store, &saved, io.Discard)
	if next := savedSignIn(saved); next.Password != d.Password() || !next.Remembered {
		t.Fatalf("with the keyring the next start fills in %+v", next)
	}

	// The Wazo session itself is kept too: a start whose keyring has no
	// password (the user changed it, say) signs in with the refresh token.
	if err := store.Delete(accountID(saved), secrets.Password); err != nil {
		t.Fatal(err)
	}
	flow.close() // quitting keeps the refresh token valid
	again, err := Parse([]string{"-config", cfg}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	useSecrets(store, &again, io.Discard)
	if again.Account.Password != "" || again.Wazo.RefreshToken == "" {
		t.Fatalf("next start: password %q, refresh token %q", again.Account.Password, again.Wazo.RefreshToken)
	}
	next := &signInFlow{ctx: ctx, base: again, logger: slog.New(slog.DiscardHandler), stderr: io.Discard, started: func(*session) {}, secrets: store}
	auto := savedSignIn(again)
	auto.Automatic = true
	line2, err := next.connect(ctx, auto)
	if err != nil {
		t.Fatalf("signing in with the kept session: %v", err)
	}
	// Signing out revokes it: the next try needs the password.
	line2.Close()
	if _, err := store.Get(accountID(again), secrets.RefreshToken); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the refresh token is still kept after signing out: %v", err)
	}
	_, err = next.connect(ctx, auto)
	if !errors.As(err, &se) || se.Field != "password" || !strings.Contains(se.Problem, "session has ended") {
		t.Fatalf("signing in with a revoked session: %v", err)
	}
}

func TestSignInFlowUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	flow := &signInFlow{ctx: context.Background(), base: Settings{Audio: audioOff}, logger: slog.New(slog.DiscardHandler), stderr: io.Discard, started: func(*session) {}}
	defer flow.close()
	_, err = flow.connect(context.Background(), gui.SignIn{Kind: gui.AccountWazo, Server: addr, Username: "a", Password: "b"})
	var se *gui.SignInError
	if !errors.As(err, &se) || !se.Retry || se.Field != "server" || se.Problem != "Cannot reach "+addr+": connection refused." {
		t.Fatalf("unreachable: %v (%+v)", err, se)
	}
}

func TestSignInFlowCancelled(t *testing.T) {
	// A server that accepts connections and never answers: only Cancel
	// ends the attempt.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	flow := &signInFlow{ctx: context.Background(), base: Settings{Audio: audioOff}, logger: slog.New(slog.DiscardHandler), stderr: io.Discard, started: func(*session) { t.Error("a cancelled sign-in started a line") }}
	defer flow.close()
	attempt, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err = flow.connect(attempt, gui.SignIn{Kind: gui.AccountWazo, Server: l.Addr().String(), Username: "a", Password: "b"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sign-in: %v", err)
	}
}

func TestSettingsForSIP(t *testing.T) {
	base := Settings{Account: phone.Account{Server: "pbx.example.com", Domain: "example.com", WSPath: "/ws"}}
	s := settingsFor(base, gui.SignIn{Kind: gui.AccountSIP, Transport: "tls", Server: "pbx.example.com", Username: "1001",
		AuthUsername: "auth1001", Password: "pw", DisplayName: "Ann", STUN: "stun:stun.example.com"})
	want := phone.Account{Transport: "tls", Server: "pbx.example.com", Domain: "example.com", WSPath: "/ws",
		Username: "1001", AuthUsername: "auth1001", Password: "pw", DisplayName: "Ann"}
	if s.Account != want || len(s.Line.STUN) != 1 || s.Line.STUN[0] != "stun:stun.example.com" || s.Wazo.Server != "" {
		t.Fatalf("settings %+v", s)
	}
	// Another server: what the form does not show is not carried over.
	s = settingsFor(base, gui.SignIn{Kind: gui.AccountSIP, Transport: "udp", Server: "other.example.com", Username: "1"})
	if s.Account.Domain != "" || s.Account.WSPath != "" {
		t.Fatalf("kept the old server's domain: %+v", s.Account)
	}
}

// A password the user wrote into the account file moves to the keyring,
// and the file keeps everything else.
func TestUseSecretsMovesThePasswordOutOfTheFile(t *testing.T) {
	keyring.MockInit()
	store := secrets.NewKeyring(secrets.WithService("parley-move-test"))
	path := filepath.Join(t.TempDir(), "account.json")
	if err := os.WriteFile(path, []byte(`{"transport":"tcp","server":"pbx.example.com","username":"1001","password":"hunter2","local_port":5080}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]string{"-config", path}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	useSecrets(store, &s, io.Discard)
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "hunter2") || !strings.Contains(string(data), "5080") {
		t.Fatalf("account file after the move:\n%s", data)
	}
	if got, err := store.Get(accountID(s), secrets.Password); err != nil || got != "hunter2" {
		t.Fatalf("keyring has %q, %v", got, err)
	}
	again, err := Parse([]string{"-config", path}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	useSecrets(store, &again, io.Discard)
	if again.Account.Password != "hunter2" {
		t.Fatalf("the next start reads password %q", again.Account.Password)
	}
}
