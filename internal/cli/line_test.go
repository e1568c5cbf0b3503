package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/fleet"
)

func TestParseLineSettings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "account.json")
	if err := os.WriteFile(file, []byte(`{"transport":"udp","server":"pbx","username":"1001",
		"local_ip":"127.0.0.1","local_port":5070,"register":false,"redirects":"report",
		"auto_answer":"intercom","auto_answer_delay_seconds":3}`), 0o600); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := writeKeyPair(t, dir)
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		fleet   fleet.File
		want    LineSettings
		wantIP  string
		wantErr string
	}{
		{name: "defaults", args: []string{"-server", "pbx", "-user", "1001"}, want: LineSettings{Redirects: "follow"}},
		{name: "account file", args: []string{"-config", file}, wantIP: "127.0.0.1",
			want: LineSettings{LocalPort: 5070, NoRegister: true, Redirects: "report", AutoAnswer: "intercom", AutoAnswerDelay: 3 * time.Second}},
		{name: "flags beat env beat file", args: []string{"-config", file, "-local-port", "5080", "-auto-answer", "always", "-auto-answer-delay", "500ms", "-local-ip", "127.0.0.2"},
			env:    map[string]string{"PARLEY_LOCAL_PORT": "5090", "PARLEY_REDIRECTS": "follow", "PARLEY_LOCAL_IP": "127.0.0.3"},
			wantIP: "127.0.0.2",
			want:   LineSettings{LocalPort: 5080, NoRegister: true, Redirects: "follow", AutoAnswer: "always", AutoAnswerDelay: 500 * time.Millisecond}},
		{name: "no-register flag", args: []string{"-server", "pbx", "-user", "1001", "-no-register"}, want: LineSettings{NoRegister: true, Redirects: "follow"}},
		{name: "fleet fills auto-answer", args: []string{"-server", "pbx", "-user", "1001"},
			fleet: fleet.File{Config: fleet.Config{AutoAnswer: "always"}}, want: LineSettings{Redirects: "follow", AutoAnswer: "always"}},
		{name: "locked fleet auto-answer beats the flag", args: []string{"-server", "pbx", "-user", "1001", "-auto-answer", "always"},
			fleet: fleet.File{Config: fleet.Config{AutoAnswer: "off"}, Locked: []string{"auto_answer"}}, want: LineSettings{Redirects: "follow", AutoAnswer: "off"}},
		{name: "tls listener certificate", args: []string{"-server", "pbx", "-user", "1001", "-tls-cert", certFile, "-tls-key", keyFile},
			want: LineSettings{Redirects: "follow", TLSCertFile: certFile, TLSKeyFile: keyFile}},
		{name: "bad port", args: []string{"-server", "pbx", "-user", "1001", "-local-port", "70000"}, wantErr: "local port 70000"},
		{name: "bad redirects", args: []string{"-server", "pbx", "-user", "1001", "-redirects", "sometimes"}, wantErr: "use follow or report"},
		{name: "bad auto-answer", args: []string{"-server", "pbx", "-user", "1001", "-auto-answer", "yes"}, wantErr: "use off, intercom or always"},
		{name: "dtmf flag", args: []string{"-server", "pbx", "-user", "1001", "-dtmf", "INFO"}, want: LineSettings{Redirects: "follow", DTMF: "info"}},
		{name: "dtmf from the environment", args: []string{"-server", "pbx", "-user", "1001"}, env: map[string]string{"PARLEY_DTMF": "rfc4733"}, want: LineSettings{Redirects: "follow", DTMF: "rfc4733"}},
		{name: "media flag", args: []string{"-server", "pbx", "-user", "1001", "-media", "SRTP"}, want: LineSettings{Redirects: "follow", Media: "srtp"}},
		{name: "media from the environment", args: []string{"-server", "pbx", "-user", "1001"}, env: map[string]string{"PARLEY_MEDIA": "webrtc"}, want: LineSettings{Redirects: "follow", Media: "webrtc"}},
		{name: "bad dtmf", args: []string{"-server", "pbx", "-user", "1001", "-dtmf", "tones"}, wantErr: "use auto, rfc4733 or info"},
		{name: "bad media", args: []string{"-server", "pbx", "-user", "1001", "-media", "sdes"}, wantErr: "use webrtc, auto, rtp or srtp"},
		{name: "certificate without key", args: []string{"-server", "pbx", "-user", "1001", "-tls-cert", certFile}, wantErr: "both a certificate and its key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "empty"))
			load := func(func(string) string) (fleet.File, error) { return tt.fleet, nil }
			s, err := parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard, load)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := s.Line
			if (got.tlsCert != nil) != (tt.want.TLSCertFile != "") {
				t.Errorf("certificate loaded = %v", got.tlsCert != nil)
			}
			got.tlsCert = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("line settings %+v, want %+v", got, tt.want)
			}
			if s.LocalIP != tt.wantIP {
				t.Errorf("local ip %q, want %q", s.LocalIP, tt.wantIP)
			}
			if tt.want.NoRegister != (s.Account.RegisterExpiry < 0) {
				t.Errorf("RegisterExpiry %v with NoRegister %v", s.Account.RegisterExpiry, tt.want.NoRegister)
			}
			if n := len(lineOptions(s.Line)); n == 0 && (got.LocalPort != 0 || got.AutoAnswer == "always") {
				t.Error("line settings give no phone option")
			}
		})
	}
}

func writeKeyPair(t *testing.T, dir string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parley.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
