package rtc

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"
)

// turnServer runs pion/turn on loopback with one long-term credential
// (RFC 8489 §9.2), relaying on 127.0.0.1, and returns its turn: URL.
func turnServer(t *testing.T, user, password string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "parley.test"
	key := turn.GenerateAuthKey(user, realm, password)
	s, err := turn.NewServer(turn.ServerConfig{
		Realm: realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			if ra.Username != user {
				return "", nil, false
			}
			return user, key, true
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1",
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	return "turn:" + pc.LocalAddr().String()
}

func TestTURNRelayCandidate(t *testing.T) {
	url := turnServer(t, "ann", "s3cret")
	for _, tc := range []struct {
		name       string
		credential string
		wantRelay  bool
	}{
		{"right credential", "s3cret", true},
		{"wrong credential", "wrong", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(Config{
				IncludeLoopback: true,
				TURN:            []TURNServer{{URL: url, Username: "ann", Credential: tc.credential}},
				// Bounds the wait for a relay that never comes; generous so a
				// busy machine still completes the right-credential Allocate.
				GatherTimeout: 10 * time.Second,
			}, loopbackOnly(), WithLogger(testLogger()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			offer, err := s.CreateOffer(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(offer), "typ relay"); got != tc.wantRelay {
				t.Fatalf("relay candidate in offer = %v, want %v:\n%s", got, tc.wantRelay, offer)
			}
			if strings.Contains(string(offer), tc.credential) {
				t.Fatalf("offer carries the TURN credential:\n%s", offer)
			}
		})
	}
}
