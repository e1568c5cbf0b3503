package sipua

import (
	"errors"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1002", "sip:1002@wazo.example", true},
		{"  1002 ", "sip:1002@wazo.example", true},
		{"+33123456789", "sip:+33123456789@wazo.example", true},
		{"*97", "sip:*97@wazo.example", true},
		{"#31", "sip:%2331@wazo.example", true},
		{"alice@example.com", "sip:alice@example.com", true},
		{"sip:alice@example.com", "sip:alice@example.com", true},
		{"SIP:alice@example.com:5080", "sip:alice@example.com:5080", true},
		{"sips:bob@secure.example", "sips:bob@secure.example", true},
		{"sip:alice@10.0.0.1;transport=tcp", "sip:alice@10.0.0.1", true},
		{"sip:conference.example", "sip:conference.example", true},
		{"sip:alice@[::1]:5060", "sip:alice@[::1]:5060", true},
		{"", "", false},
		{"   ", "", false},
		{"10 02", "", false},
		{"1002\r\nX-Evil: 1", "", false},
		{"1002\n", "", false},
		{"10\x0002", "", false},
		{"jérôme", "", false},
		{"电话", "", false},
		{"<sip:1002@x>", "", false},
		{"\"bob\"@x", "", false},
		{"sip:1002@wazo.example?Replaces=abc", "", false},
		{"tel:+331234", "", false},
		{"http://example.com", "", false},
		{"1002@", "", false},
		{"@example.com", "", false},
		{"sip:", "", false},
		{"sip:alice@bad_host", "", false},
		{"sip:alice@host:99999x", "", false},
		{"alice@-bad.example", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseTarget(tt.in, "wazo.example")
			if !tt.ok {
				if !errors.Is(err, ErrInvalidTarget) {
					t.Fatalf("ParseTarget(%q) = %v, %v; want ErrInvalidTarget", tt.in, u.String(), err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.in, err)
			}
			if got := u.Addr(); got != tt.want {
				t.Errorf("ParseTarget(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"1002", "sip:a@b", "sips:x@[::1]:5", "a@b;c=d", "\r\n", "%41@x", "sip:@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseTarget(s, "example.com")
		if err != nil {
			if !errors.Is(err, ErrInvalidTarget) {
				t.Fatalf("error not ErrInvalidTarget: %v", err)
			}
			return
		}
		out := u.String()
		if strings.ContainsAny(out, "\r\n \t<>\"") {
			t.Fatalf("ParseTarget(%q) produced unsafe URI %q", s, out)
		}
	})
}

func TestReferToValue(t *testing.T) {
	tests := []struct {
		name, target, replaces, want string
	}{
		{"blind", "sip:1003@wazo.example", "", "<sip:1003@wazo.example>"},
		{"attended", "sip:1003@wazo.example", ReplacesValue("abc@10.0.0.1", "loc1", "rem2"),
			"<sip:1003@wazo.example?Replaces=abc%4010.0.0.1%3Bto-tag%3Drem2%3Bfrom-tag%3Dloc1>"},
		{"odd call-id", "sip:x@y", ReplacesValue("a b;c=d&e%", "l", "r"),
			"<sip:x@y?Replaces=a%20b%3Bc%3Dd%26e%25%3Bto-tag%3Dr%3Bfrom-tag%3Dl>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReferToValue(tt.target, tt.replaces); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := ReplacesValue("cid", "local", "remote"); got != "cid;to-tag=remote;from-tag=local" {
		t.Errorf("ReplacesValue = %q", got)
	}
}

func TestParseSipfrag(t *testing.T) {
	tests := []struct {
		in     string
		code   int
		reason string
		ok     bool
	}{
		{"SIP/2.0 200 OK\r\n", 200, "OK", true},
		{"SIP/2.0 100 Trying", 100, "Trying", true},
		{"SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n", 486, "Busy Here", true},
		{"SIP/2.0 503\r\n", 503, "", true},
		{"", 0, "", false},
		{"HTTP/1.1 200 OK", 0, "", false},
		{"SIP/2.0 abc OK", 0, "", false},
		{"SIP/2.0 99 Low", 0, "", false},
		{"SIP/2.0 700 High", 0, "", false},
	}
	for _, tt := range tests {
		code, reason, err := ParseSipfrag([]byte(tt.in))
		if (err == nil) != tt.ok || code != tt.code || reason != tt.reason {
			t.Errorf("ParseSipfrag(%q) = %d %q %v", tt.in, code, reason, err)
		}
	}
}

func FuzzParseSipfrag(f *testing.F) {
	f.Add([]byte("SIP/2.0 200 OK\r\n"))
	f.Add([]byte("SIP/2.0 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		code, _, err := ParseSipfrag(b)
		if err == nil && (code < 100 || code > 699) {
			t.Fatalf("accepted code %d", code)
		}
	})
}

func TestReferTarget(t *testing.T) {
	for in, want := range map[string]string{
		"<sip:1003@x>":                   "sip:1003@x",
		" <sip:1003@x?Replaces=a%3Bb>;p": "sip:1003@x?Replaces=a%3Bb",
		"sip:1003@x;method=INVITE":       "sip:1003@x",
		"<broken":                        "<broken",
	} {
		if got := referTarget(in); got != want {
			t.Errorf("referTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

func newReq(callID, fromTag, toTag string) *sip.Request {
	req := sip.NewRequest(sip.BYE, sip.Uri{Scheme: "sip", Host: "x"})
	if callID != "" {
		c := sip.CallIDHeader(callID)
		req.AppendHeader(&c)
	}
	from := &sip.FromHeader{Address: sip.Uri{Host: "a"}, Params: sip.NewParams()}
	if fromTag != "" {
		from.Params.Add("tag", fromTag)
	}
	to := &sip.ToHeader{Address: sip.Uri{Host: "b"}, Params: sip.NewParams()}
	if toTag != "" {
		to.Params.Add("tag", toTag)
	}
	req.AppendHeader(from)
	req.AppendHeader(to)
	return req
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	ua := &UA{dialogs: r}
	d1 := newDialog(ua, true, "call-1")
	d1.localTag, d1.remoteTag = "L1", "R1"
	d2 := newDialog(ua, false, "call-2")
	d2.localTag, d2.remoteTag = "L2", "R2"
	r.Add(d1)
	r.Add(d2)
	if r.Len() != 2 {
		t.Fatalf("Len = %d", r.Len())
	}
	tests := []struct {
		name string
		req  *sip.Request
		want *Dialog
	}{
		{"match d1 (their From tag is our remote tag)", newReq("call-1", "R1", "L1"), d1},
		{"match d2", newReq("call-2", "R2", "L2"), d2},
		{"tags swapped", newReq("call-1", "L1", "R1"), nil},
		{"wrong call-id", newReq("call-x", "R1", "L1"), nil},
		{"no to tag (out of dialog)", newReq("call-1", "R1", ""), nil},
		{"no call-id", newReq("", "R1", "L1"), nil},
		{"nil request", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Match(tt.req); got != tt.want {
				t.Errorf("Match = %p, want %p", got, tt.want)
			}
		})
	}
	// Missing From/To headers must not panic.
	bare := sip.NewRequest(sip.BYE, sip.Uri{Host: "x"})
	if r.Match(bare) != nil {
		t.Error("bare request matched")
	}
	res := sip.NewResponse(200, "OK")
	if r.MatchResponse(res) != nil || r.MatchResponse(nil) != nil {
		t.Error("bare response matched")
	}
	d1.end(false, 0, "test")
	if r.Lookup("call-1", "L1", "R1") != nil || r.Len() != 1 {
		t.Error("ended dialog still registered")
	}
	// Remove only deletes the registered instance.
	stale := newDialog(ua, false, "call-2")
	stale.localTag, stale.remoteTag = "L2", "R2"
	r.Remove(stale)
	if r.Lookup("call-2", "L2", "R2") != d2 {
		t.Error("Remove of a different instance deleted the entry")
	}
}

func TestConfigValidation(t *testing.T) {
	base := Config{Transport: "udp", Server: "pbx.example:5060", Username: "1001"}
	tests := []struct {
		name   string
		mod    func(*Config)
		errSub string
	}{
		{"ok", func(*Config) {}, ""},
		{"ok wss", func(c *Config) { c.Transport = "WSS"; c.WSPath = "/api/asterisk/ws" }, ""},
		{"bad transport", func(c *Config) { c.Transport = "sctp" }, "unknown transport"},
		{"no server", func(c *Config) { c.Server = "" }, "no sip server"},
		{"server without port", func(c *Config) { c.Server = "pbx.example" }, "host:port"},
		{"bad port", func(c *Config) { c.Server = "pbx.example:0" }, "invalid port"},
		{"no user", func(c *Config) { c.Username = "" }, "no sip username"},
		{"user with space", func(c *Config) { c.Username = "a b" }, "not allowed"},
		{"display name CRLF", func(c *Config) { c.DisplayName = "Bob\r\nX: y" }, "line break"},
		{"display name quote", func(c *Config) { c.DisplayName = `Bob "B"` }, "double quote"},
		{"ws path", func(c *Config) { c.Transport = "ws"; c.WSPath = "api" }, "must start with /"},
		{"local ip", func(c *Config) { c.LocalIP = "nope" }, "not an IP"},
		{"reject code", func(c *Config) { c.RejectCode = 200 }, "reject code"},
		{"bad domain", func(c *Config) { c.Domain = "bad domain" }, "not a valid host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mod(&c)
			_, err := New(c, nil)
			if tt.errSub == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.errSub) {
				t.Fatalf("New err = %v, want ErrInvalidConfig containing %q", err, tt.errSub)
			}
		})
	}
}

func TestRegStatusString(t *testing.T) {
	for s, want := range map[RegStatus]string{RegUnregistered: "unregistered", RegRegistering: "registering",
		RegRegistered: "registered", RegFailed: "failed", RegStatus(9): "RegStatus(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
}

func TestGrantedExpiry(t *testing.T) {
	ours := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "u", Host: "1.2.3.4", Port: 5060}}
	res := sip.NewResponse(200, "OK")
	other := &sip.ContactHeader{Address: sip.Uri{User: "u", Host: "9.9.9.9"}, Params: sip.NewParams()}
	other.Params.Add("expires", "30")
	mine := &sip.ContactHeader{Address: sip.Uri{User: "u", Host: "1.2.3.4", Port: 5060}, Params: sip.NewParams()}
	mine.Params.Add("expires", "120")
	res.AppendHeader(other)
	res.AppendHeader(mine)
	if got := grantedExpiry(res, ours, 600e9); got.Seconds() != 120 {
		t.Errorf("granted = %v", got)
	}
	res2 := sip.NewResponse(200, "OK")
	res2.AppendHeader(sip.NewHeader("Expires", "300"))
	if got := grantedExpiry(res2, ours, 600e9); got.Seconds() != 300 {
		t.Errorf("granted from Expires = %v", got)
	}
	if got := grantedExpiry(sip.NewResponse(200, "OK"), ours, 600e9); got.Seconds() != 600 {
		t.Errorf("granted default = %v", got)
	}
}

func TestCompletedElsewhere(t *testing.T) {
	tests := []struct {
		reason string
		want   bool
	}{
		{`SIP;cause=200;text="Call completed elsewhere"`, true},
		{`sip ; cause = 200`, true},
		{`Q.850;cause=26;text="Non-selected user clearing"`, true},
		{`Q.850;cause=16;text="Normal call clearing"`, false},
		{`SIP;cause=487`, false},
		{`SIP;text="200"`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := completedElsewhere(tt.reason); got != tt.want {
			t.Errorf("completedElsewhere(%q) = %v, want %v", tt.reason, got, tt.want)
		}
	}
}
