package sipua

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strconv"
	"testing"

	"github.com/parley-voip/parley/internal/testrig"
)

// answerOne answers the next incoming call and waits for its end.
func answerOne(t *testing.T, h *testHandler) *Dialog {
	t.Helper()
	in := h.waitIncoming(t)
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	return d
}

func TestIncomingOverTCPListener(t *testing.T) {
	testrig.Require(t, "sipp")
	port := testrig.FreePort(t, "tcp")
	ua, h := startUA(t, Config{Transport: "tcp", Server: "127.0.0.1:9", LocalPort: port})
	c := ua.Contact()
	if c.Address.Port != port || c.Address.UriParams.GetOr("transport", "") != "tcp" {
		t.Fatalf("Contact = %s, want port %d ;transport=tcp", c.Address.String(), port)
	}
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer_tcp"), Transport: "t1",
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	d := answerOne(t, h)
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("remote BYE not seen")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// TestIncomingOverTLSListener calls a tls line from a second UA: once with
// the certificate the callee was configured with (verified against it), once
// with the certificate generated at start (the caller must skip checks).
func TestIncomingOverTLSListener(t *testing.T) {
	cert, err := selfSignedCertificate("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, tc := range []struct {
		name   string
		listen *tls.Config
		client *tls.Config
	}{
		{"configured", &tls.Config{Certificates: []tls.Certificate{cert}}, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}},
		{"generated", nil, &tls.Config{InsecureSkipVerify: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			callee, h := startUA(t, Config{Transport: "tls", Server: "127.0.0.1:9", ListenTLS: tc.listen})
			if tp := callee.Contact().Address.UriParams.GetOr("transport", ""); tp != "tls" {
				t.Fatalf("Contact transport = %q", tp)
			}
			caller, _ := startUA(t, Config{Transport: "tls", Server: callee.LocalAddr(), Username: "1002", TLSConfig: tc.client})
			done := make(chan *Dialog, 1)
			go func() { done <- answerOne(t, h) }()
			d, err := caller.Dial(ctxT(t), "1001", []byte(testSDP), DialOptions{})
			if err != nil {
				t.Fatalf("Dial over tls: %v", err)
			}
			answered := <-done
			if err := d.Bye(ctxT(t)); err != nil {
				t.Fatalf("Bye: %v", err)
			}
			select {
			case <-answered.Done():
			case <-ctxT(t).Done():
				t.Fatal("callee never saw the BYE")
			}
		})
	}
}

// TestFixedLocalPort checks LocalPort places the UDP socket.
func TestFixedLocalPort(t *testing.T) {
	port := testrig.FreePort(t, "udp")
	ua, _ := startUA(t, Config{Transport: "udp", Server: "127.0.0.1:9", LocalIP: "127.0.0.2", LocalPort: port})
	if got, want := ua.LocalAddr(), net.JoinHostPort("127.0.0.2", strconv.Itoa(port)); got != want {
		t.Errorf("LocalAddr = %s, want %s", got, want)
	}
}
