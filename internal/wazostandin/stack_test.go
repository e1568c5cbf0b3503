package wazostandin

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestStartServesTLS: Start serves HTTPS with the generated certificate;
// a client pinning its SHA-256 can log in; Close stops it.
func TestStartServesTLS(t *testing.T) {
	s := New()
	if _, err := s.AddUser(User{Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(User{Username: "u", Password: "p"}); !errors.Is(err, ErrDuplicateUser) {
		t.Fatalf("duplicate: %v", err)
	}
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := s.Certificate()
	pin := CertificateSHA256(cert)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if sha256.Sum256(cs.PeerCertificates[0].Raw) != pin {
				return errors.New("pin mismatch")
			}
			return nil
		}}}}
	req, _ := http.NewRequest("POST", url+"/api/auth/0.1/token", strings.NewReader(`{"expiration":60}`))
	req.SetBasicAuth("u", "p")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || s.URL() != url {
		t.Fatalf("status %d url %s", resp.StatusCode, s.URL())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Get(url + "/api/confd/1.1/infos"); err == nil {
		t.Fatal("server still answering after Close")
	}
}
