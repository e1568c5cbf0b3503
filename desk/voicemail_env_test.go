package desk

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/internal/wazostandin"
	"github.com/parley-voip/parley/phone"
	"github.com/parley-voip/parley/wazoline"
)

// vmEnv is an embedded Wazo stack with two WebRTC users: alice may record
// her calls and has a mailbox, bob neither.
type vmEnv struct {
	stack *wazostandin.Stack
	url   string
	pin   [32]byte
	alice wazostandin.User
	bob   wazostandin.User
}

func newVMEnv(t *testing.T) *vmEnv {
	t.Helper()
	st := wazostandin.New(wazostandin.WithLogger(vmTestLogger()))
	alice, err := st.AddUser(wazostandin.User{Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Agent", OnlineCallRecord: true,
		Lines: []wazostandin.Line{{WebRTC: true, Username: "alice-webrtc", Password: "linepw", Extensions: []wazostandin.Extension{{Exten: "1001", Context: "default"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := st.AddUser(wazostandin.User{Username: "bob", Password: "pw", Firstname: "Bob", Lastname: "Desk",
		Lines: []wazostandin.Line{{WebRTC: true, Username: "bob-webrtc", Password: "bobpw", Extensions: []wazostandin.Extension{{Exten: "1002", Context: "default"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	st.AddVoicemail(alice.UUID, "1001", "Alice Agent")
	url, err := st.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cert, err := st.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	return &vmEnv{stack: st, url: url, pin: wazostandin.CertificateSHA256(cert), alice: alice, bob: bob}
}

// desk signs the user in (the real line: auth, confd, event socket, SIP
// registration) and returns its Desk.
func (e *vmEnv) desk(t *testing.T, user, password string) (*Desk, *wazoline.Line) {
	t.Helper()
	l, err := wazoline.Connect(vmCtx(t), e.url, user, password,
		wazoline.WithPinnedCertificate(e.pin), wazoline.WithLogger(vmTestLogger()),
		wazoline.WithPhoneOptions(phone.WithLocalIP("127.0.0.1"), phone.WithMedia(rtc.Config{IncludeLoopback: true}), phone.WithQualityInterval(0)))
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	d := New(l, WithLogger(vmTestLogger()))
	t.Cleanup(func() {
		d.Close()
		_ = l.Close(context.Background())
	})
	return d, l
}

func vmTestLogger() *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func vmCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// vmWait polls cond with a generous deadline (no timing assertions).
func vmWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
