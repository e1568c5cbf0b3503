package selftest

import (
	"archive/zip"
	"bytes"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-voip/parley/audio"
	"github.com/parley-voip/parley/internal/diaglog"
	"github.com/parley-voip/parley/phone"
)

func readZip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(body)
	}
	return files
}

// TestBundleNeverHoldsSecrets: the password and token given in the
// configuration, and an Authorization header value seen on the wire, are
// in no file of the bundle, wherever they slipped in; the rest is there.
func TestBundleNeverHoldsSecrets(t *testing.T) {
	const (
		password = "Tr0ub4dor&3"
		token    = "7c4a8d09-ca37-4e9a-9f4e-refresh"
		digest   = "6629fae49393a05397450978507c4ef1"
		sdesKey  = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
	)
	logs := diaglog.NewHandler(100)
	log := slog.New(logs)
	log.Debug("signing in", "server", "wazo.example.com", "user", "alice", "password", password)
	// A careless line that puts the secret in the message itself.
	log.Warn("token refresh failed for " + token)
	log.Info("wazo: GET /api/auth/0.1/token?refresh_token=" + token)
	log.Info("form posted", "body", "user=alice&pw="+url.QueryEscape(password))

	sip := diaglog.NewSIPTrace(10)
	sip.SIPTraceWrite("WSS", "127.0.0.1:40000", "10.0.0.1:443", []byte(
		"REGISTER sip:wazo.example.com SIP/2.0\r\n"+
			"Authorization: Digest username=\"alice\", realm=\"wazo\", nonce=\"abc\", uri=\"sip:wazo.example.com\", response=\""+digest+"\"\r\n"+
			"CSeq: 2 REGISTER\r\n\r\n"))
	sip.SIPTraceRead("WSS", "127.0.0.1:40000", "10.0.0.1:443", []byte(
		"INVITE sip:alice@x SIP/2.0\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"+sdesKey+"\r\n"))

	cfg := map[string]any{
		"account": phone.Account{Transport: "wss", Server: "wazo.example.com", Username: "alice", Password: password},
		"wazo":    map[string]string{"server": "wazo.example.com", "refresh_token": token},
	}
	b := Bundle{
		Version: "parley 1.2.3",
		Config:  cfg,
		Secrets: []string{password, token},
		Checks:  []Result{result(CheckServer, StatusOK, msg("wazo.example.com answers on port 443."), Message{})},
		Logs:    logs.Lines(),
		SIP:     sip.Messages(),
		Calls:   []CallQuality{{CallID: "abc@x", Peer: "1002", Updated: time.Unix(0, 0), Ended: true, Quality: phone.Quality{PacketsReceived: 500, MOS: 4.3}}},
		Audio:   audio.NullHost{},
		Now:     time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC),
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	files := readZip(t, buf.Bytes())
	for _, name := range []string{"README.txt", "version.txt", "config.json", "checks.txt", "log.txt", "sip.txt", "calls.json", "devices.txt"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the bundle has no %s", name)
		}
	}
	for name, body := range files {
		for _, secret := range []string{password, url.QueryEscape(password), token, digest, sdesKey} {
			if strings.Contains(body, secret) {
				t.Errorf("%s holds the secret %q:\n%s", name, secret, body)
			}
		}
	}
	// What support needs is still there.
	for name, says := range map[string]string{
		"version.txt": "parley 1.2.3",
		"config.json": `"username": "alice"`,
		"checks.txt":  "Server reachable: ok",
		"log.txt":     "wazo.example.com",
		"sip.txt":     "CSeq: 2 REGISTER",
		"calls.json":  `"mos": 4.3`,
		"devices.txt": "capture: Null capture (default)",
	} {
		if !strings.Contains(files[name], says) {
			t.Errorf("%s lost %q:\n%s", name, says, files[name])
		}
	}
	if !strings.Contains(files["sip.txt"], "Authorization: (redacted)") || !strings.Contains(files["sip.txt"], "a=crypto:(redacted)") {
		t.Errorf("sip.txt does not show what was redacted:\n%s", files["sip.txt"])
	}
}
