package wazoline

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

const (
	aliceUUID = "aaaaaaaa-0000-4000-8000-000000000001"
	bobUUID   = "bbbbbbbb-0000-4000-8000-000000000002"
	carolUUID = "cccccccc-0000-4000-8000-000000000003"
)

// env is an embedded Wazo stack served over real HTTPS; clients trust its
// self-signed certificate by pinning it.
type env struct {
	t     *testing.T
	stack *wazostandin.Stack
	url   string
	pin   [32]byte
}

func newEnv(t *testing.T, opts ...wazostandin.Option) *env {
	t.Helper()
	st := wazostandin.New(append([]wazostandin.Option{wazostandin.WithLogger(testLogger())}, opts...)...)
	users := []wazostandin.User{
		{UUID: aliceUUID, Username: "alice", Password: "secret", Firstname: "Alice", Lastname: "Agent",
			Lines: []wazostandin.Line{
				{Protocol: wazostandin.LineSCCP},
				{WebRTC: true, Username: "alice-webrtc", Password: "linepw", Extensions: []wazostandin.Extension{{Exten: "1001", Context: "default"}}},
			}},
		{UUID: bobUUID, Username: "bob", Password: "pw", Firstname: "Bob", Lastname: "Desk",
			Lines: []wazostandin.Line{{Username: "bob-desk", Password: "x"}}}, // SIP, not WebRTC
		{UUID: carolUUID, Username: "carol", Password: "pw3", Firstname: "Carol", Lastname: "Callee",
			Lines: []wazostandin.Line{{WebRTC: true, Username: "carol-webrtc", Password: "carolpw", Extensions: []wazostandin.Extension{{Exten: "1003", Context: "default"}}}}},
	}
	for _, u := range users {
		if _, err := st.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	url, err := st.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cert, err := st.Certificate()
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, stack: st, url: url, pin: wazostandin.CertificateSHA256(cert)}
}

// testLogger logs at debug level to stderr when PARLEY_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("PARLEY_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
