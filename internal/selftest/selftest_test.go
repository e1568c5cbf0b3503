package selftest

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/demo"
	"github.com/parley-voip/parley/internal/dsp"
	"github.com/parley-voip/parley/internal/rtc"
	"github.com/parley-voip/parley/wazo"
	"github.com/parley-voip/parley/wazoline"
)

// waitLong bounds whole runs on a busy machine; the checks have their own
// timeouts inside it.
const waitLong = 60 * time.Second

func startDemo(t *testing.T) *demo.Demo {
	t.Helper()
	d, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// run runs the checker and returns its results by ID, checking that each
// one was also reported live.
func run(t *testing.T, cfg Config) map[string]Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	var mu sync.Mutex
	live := map[string]Result{}
	out := New(cfg).Run(ctx, func(r Result) {
		mu.Lock()
		live[r.ID] = r
		mu.Unlock()
	})
	byID := map[string]Result{}
	for _, r := range out {
		byID[r.ID] = r
		t.Log(r)
		if !reflect.DeepEqual(live[r.ID], r) {
			t.Errorf("%s: returned %+v, reported %+v", r.ID, r, live[r.ID])
		}
	}
	if len(out) != len(All()) {
		t.Errorf("%d results, want %d: %+v", len(out), len(All()), out)
	}
	return byID
}

func want(t *testing.T, got map[string]Result, id string, st Status, says string) Result {
	t.Helper()
	r := got[id]
	if r.Status != st || !strings.Contains(r.Summary, says) {
		t.Errorf("%s: %s %q, want %s saying %q", id, r.Status, r.Summary, st, says)
	}
	if r.Status != StatusOK && r.Status != StatusSkipped && r.Advice == "" {
		t.Errorf("%s: %s with no advice", id, r.Status)
	}
	return r
}

// TestWazoStandIn: a signed-in Wazo line on the embedded stand-in passes
// the server, certificate, registration and websocket checks; the same
// server without the pin shows its certificate's fingerprint.
func TestWazoStandIn(t *testing.T) {
	d := startDemo(t)
	pin := d.CertificateSHA256()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	line, err := wazoline.Connect(ctx, d.Host(), d.Username(), d.Password(), wazoline.WithPinnedCertificate(pin))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cc := context.WithTimeout(context.Background(), 10*time.Second)
		defer cc()
		_ = line.Close(c)
	})

	got := run(t, Config{
		Server: Target{Address: d.Host(), Transport: "https", Pin: &pin},
		Phone:  line.API(),
		Socket: line,
	})
	want(t, got, CheckServer, StatusOK, "answers on port")
	if r := want(t, got, CheckCertificate, StatusOK, "the certificate you chose to trust"); r.Fingerprint != wazo.FormatFingerprint(pin) {
		t.Errorf("fingerprint %s, want %s", r.Fingerprint, wazo.FormatFingerprint(pin))
	}
	want(t, got, CheckRegistration, StatusOK, "Registered as sip:")
	want(t, got, CheckWebSocket, StatusOK, "Connected")
	want(t, got, CheckMicrophone, StatusSkipped, "switched off")

	t.Run("untrusted", func(t *testing.T) {
		got := run(t, Config{Server: Target{Address: d.Host(), Transport: "https"}})
		r := want(t, got, CheckCertificate, StatusFailed, "not trusted")
		fp := wazo.FormatFingerprint(pin)
		if r.Fingerprint != fp || !strings.Contains(r.Summary, fp) {
			t.Errorf("the untrusted certificate is reported as %q / %q, want its fingerprint %s", r.Summary, r.Fingerprint, fp)
		}
		want(t, got, CheckRegistration, StatusSkipped, "No line")
	})
	t.Run("trusted authority", func(t *testing.T) {
		roots := x509.NewCertPool()
		roots.AddCert(d.Certificate())
		got := run(t, Config{Server: Target{Address: d.Host(), Transport: "https", RootCAs: roots}})
		want(t, got, CheckCertificate, StatusOK, "is trusted")
	})
	t.Run("pin mismatch", func(t *testing.T) {
		var other [32]byte
		other[0] = 1
		got := run(t, Config{Server: Target{Address: d.Host(), Transport: "https", Pin: &other}})
		r := want(t, got, CheckCertificate, StatusFailed, "different certificate")
		if r.Fingerprint != wazo.FormatFingerprint(pin) {
			t.Errorf("fingerprint %s, want the server's %s", r.Fingerprint, wazo.FormatFingerprint(pin))
		}
	})
}

// TestUnreachable: a port nothing listens on and a name that does not
// exist are said in words.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	_ = ln.Close()
	tests := []struct {
		name, addr, says string
	}{
		{"closed port", dead, "refused the connection"},
		{"no such name", "parley-selftest.invalid:443", "parley-selftest.invalid"},
		{"empty", "", "No server"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, Config{Server: Target{Address: tc.addr, Transport: "wss"}, Timeout: 10 * time.Second})
			want(t, got, CheckServer, StatusFailed, tc.says)
			if got[CheckCertificate].Status == StatusOK {
				t.Errorf("certificate checked ok on an unreachable server: %+v", got[CheckCertificate])
			}
		})
	}
}

// stunServer runs pion/turn's server on loopback, which answers STUN
// Binding requests (RFC 5389 §7.3) as any STUN server does.
func stunServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := turn.NewServer(turn.ServerConfig{PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: pc}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return "stun:" + pc.LocalAddr().String()
}

// turnServer runs pion/turn on loopback with the one user ann/s3cret,
// relaying on 127.0.0.1 (RFC 8656), and returns its turn: URL.
func turnServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const realm = "parley.test"
	key := turn.GenerateAuthKey("ann", realm, "s3cret")
	s, err := turn.NewServer(turn.ServerConfig{
		Realm: realm,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == "ann"
		},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: pc, RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
			RelayAddress: net.ParseIP("127.0.0.1"), Address: "127.0.0.1",
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return "turn:" + pc.LocalAddr().String()
}

func TestICE(t *testing.T) {
	t.Run("host only", func(t *testing.T) {
		got := run(t, Config{IncludeLoopback: true})
		want(t, got, CheckICEHost, StatusOK, "127.0.0.1:")
		want(t, got, CheckICEReflexive, StatusWarning, "No STUN server")
		want(t, got, CheckICERelay, StatusSkipped, "Not configured")
	})
	t.Run("stun", func(t *testing.T) {
		got := run(t, Config{IncludeLoopback: true, STUN: []string{stunServer(t)}})
		want(t, got, CheckICEReflexive, StatusOK, "sees this computer as 127.0.0.1:")
	})
	t.Run("stun silent", func(t *testing.T) {
		// A socket that never answers.
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		got := run(t, Config{IncludeLoopback: true, STUN: []string{"stun:" + pc.LocalAddr().String()}, Timeout: 10 * time.Second})
		want(t, got, CheckICEReflexive, StatusFailed, "No STUN server answered")
	})
	t.Run("turn", func(t *testing.T) {
		url := turnServer(t)
		got := run(t, Config{IncludeLoopback: true, TURN: []rtc.TURNServer{{URL: url, Username: "ann", Credential: "s3cret"}}, Timeout: 10 * time.Second})
		want(t, got, CheckICERelay, StatusOK, "relays audio through 127.0.0.1:")
		got = run(t, Config{IncludeLoopback: true, TURN: []rtc.TURNServer{{URL: url, Username: "ann", Credential: "wrong"}}, Timeout: 10 * time.Second})
		want(t, got, CheckICERelay, StatusFailed, "No TURN server gave a relay ("+url+")")
	})
}

// failingHost has no devices at all.
type failingHost struct{}

func (failingHost) Devices(audio.Kind) ([]audio.DeviceInfo, error) { return nil, nil }
func (failingHost) Open(audio.DeviceConfig) (audio.Device, error) {
	return nil, errors.Join(audio.ErrNoDevice, errors.New("no capture device"))
}

func TestAudio(t *testing.T) {
	voice := func(in []int16) {
		g, _ := dsp.NewToneGen(audio.SampleRate, 0.1, 300)
		g.Fill(in)
	}
	var mu sync.Mutex
	var played []int16
	sink := func(out []int16) {
		mu.Lock()
		played = append(played, out...)
		mu.Unlock()
	}
	tests := []struct {
		name      string
		host      audio.Host
		inCall    bool
		mic, spk  Status
		micSays   string
		checkTone bool
	}{
		{"voice", audio.NullHost{Options: []audio.NullOption{audio.WithSource(voice), audio.WithSink(sink)}}, false, StatusOK, StatusOK, "works (loudest -", true},
		{"silence", audio.NullHost{}, false, StatusFailed, StatusOK, "only silence", false},
		{"no device", failingHost{}, false, StatusFailed, StatusFailed, "No microphone was found", false},
		{"in a call", audio.NullHost{}, true, StatusSkipped, StatusSkipped, "during a call", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, Config{Audio: tc.host, InCall: func() bool { return tc.inCall },
				MicDuration: 200 * time.Millisecond, ToneDuration: 400 * time.Millisecond, Timeout: 20 * time.Second})
			want(t, got, CheckMicrophone, tc.mic, tc.micSays)
			if got[CheckSpeaker].Status != tc.spk {
				t.Errorf("speaker %+v, want %s", got[CheckSpeaker], tc.spk)
			}
			if tc.checkTone {
				mu.Lock()
				defer mu.Unlock()
				if f := dsp.DominantFrequency(played, audio.SampleRate); f < toneHz-5 || f > toneHz+5 {
					t.Errorf("the speaker played %.0f Hz, want %d Hz", f, toneHz)
				}
				if l := dsp.RMSdBFS(played); l < -20 {
					t.Errorf("the tone is at %.1f dBFS: too quiet to hear", l)
				}
			}
		})
	}
}

// TestCancel: a cancelled run returns with every check accounted for.
func TestCancel(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := New(Config{STUN: []string{"stun:" + pc.LocalAddr().String()}, Timeout: time.Hour}).Run(ctx, nil)
	if len(out) != len(All()) {
		t.Fatalf("%d results after cancel, want %d", len(out), len(All()))
	}
	for _, r := range out {
		if r.Status == StatusFailed || r.Status == StatusWarning {
			t.Errorf("%s: %s after cancel, want not checked", r.ID, r.Status)
		}
	}
}
