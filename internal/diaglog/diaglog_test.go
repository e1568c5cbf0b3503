package diaglog

import (
	"log/slog"
	"strings"
	"testing"
)

func TestRingKeepsTheLast(t *testing.T) {
	r := NewRing(3)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		r.Add(s)
	}
	if got := strings.Join(r.Entries(), ""); got != "cde" {
		t.Fatalf("entries %q, want cde", got)
	}
}

func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, gone, kept string
	}{
		{"digest", "REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"1001\", response=\"abcdef0123\"\r\nCSeq: 2 REGISTER\r\n", "abcdef0123", "CSeq: 2 REGISTER\r\n"},
		{"proxy", "INVITE sip:x SIP/2.0\r\nProxy-Authorization: Digest response=\"s3cr3tresp\"\r\n", "s3cr3tresp", "Proxy-Authorization: (redacted)\r\n"},
		{"crypto", "v=0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\na=sendrecv\r\n", "WVNfX19zZW1jdGwg", "a=sendrecv"},
		{"json password", `{"password":"hunter22","user":"bob"}`, "hunter22", `"user":"bob"`},
		{"query token", "GET /ws?token=abc.def.ghi&x=1", "abc.def.ghi", "x=1"},
		{"bearer", "X-Auth-Token: 9f8e7d6c\n", "9f8e7d6c", "X-Auth-Token"},
		{"quoted log value", `msg="REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username=\"1001\", response=\"feedbeef99\"\r\nCSeq: 2 REGISTER\r\n" n=1`, "feedbeef99", `\r\nCSeq: 2 REGISTER`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactText(tc.in)
			if strings.Contains(got, tc.gone) {
				t.Errorf("%q still in %q", tc.gone, got)
			}
			if !strings.Contains(got, tc.kept) {
				t.Errorf("%q lost from %q", tc.kept, got)
			}
		})
	}
}

func TestHandlerRedactsSecretAttributes(t *testing.T) {
	h := NewHandler(10)
	log := slog.New(Tee(slog.DiscardHandler, h)).With("server", "wazo.example.com")
	log.Debug("signing in", "password", "hunter22", "refresh_token", "tok-123")
	log.Info("sent", "msg", "Authorization: Digest response=\"zzz999\"")
	all := strings.Join(h.Lines(), "\n")
	for _, secret := range []string{"hunter22", "tok-123", "zzz999"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log keeps %q:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "wazo.example.com") || !strings.Contains(all, "signing in") {
		t.Errorf("the log lost its content:\n%s", all)
	}
	if len(h.Lines()) != 2 {
		t.Errorf("%d records, want 2", len(h.Lines()))
	}
}

func TestSIPTrace(t *testing.T) {
	tr := NewSIPTrace(2)
	tr.SIPTraceWrite("UDP", "127.0.0.1:5060", "127.0.0.1:5080", []byte("REGISTER sip:x SIP/2.0\r\nAuthorization: Digest response=\"r1\"\r\n\r\n"))
	tr.SIPTraceRead("UDP", "127.0.0.1:5060", "127.0.0.1:5080", []byte("SIP/2.0 200 OK\r\n\r\n"))
	tr.SIPTraceRead("UDP", "127.0.0.1:5060", "127.0.0.1:5080", []byte("OPTIONS sip:y SIP/2.0\r\n\r\n"))
	msgs := tr.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[0], "200 OK") || !strings.Contains(msgs[1], "OPTIONS") {
		t.Fatalf("messages %q", msgs)
	}
	if !strings.Contains(msgs[0], "received on 127.0.0.1:5060 from 127.0.0.1:5080") {
		t.Errorf("no direction in %q", msgs[0])
	}
}
