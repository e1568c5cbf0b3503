package sipua

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-voip/parley/internal/testrig"
)

// sippResponse is one response sipp received, from its message trace.
type sippResponse struct {
	code   int
	method string // CSeq method
	toTag  string
}

var (
	sippBlock  = regexp.MustCompile(`(?m)^-+ .*\n(?:UDP|TCP) message received \[\d+\] bytes :\n\n`)
	statusLine = regexp.MustCompile(`^SIP/2\.0 (\d{3}) `)
	cseqLine   = regexp.MustCompile(`(?mi)^(?:CSeq):\s*\d+\s+(\w+)`)
	toTagLine  = regexp.MustCompile(`(?mi)^(?:To|t):[^\r\n]*;\s*tag=([^;\s>]+)`)
)

// receivedResponses parses the responses out of sipp's message trace.
func receivedResponses(trace string) []sippResponse {
	var out []sippResponse
	locs := sippBlock.FindAllStringIndex(trace, -1)
	for i, loc := range locs {
		end := len(trace)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		msg := trace[loc[1]:end]
		m := statusLine.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		r := sippResponse{}
		r.code, _ = strconv.Atoi(m[1])
		if c := cseqLine.FindStringSubmatch(msg); c != nil {
			r.method = strings.ToUpper(c[1])
		}
		if t := toTagLine.FindStringSubmatch(msg); t != nil {
			r.toTag = t[1]
		}
		out = append(out, r)
	}
	return out
}

// TestIncomingCancelOneToTag: RFC 3261 §8.2.6.2 (one tag for every
// response to a request) and §9.2 (the CANCEL's 200 carries it too). sipgo
// alone gives the 180, the CANCEL's 200 and the 487 three different tags.
func TestIncomingCancelOneToTag(t *testing.T) {
	testrig.Require(t, "sipp")
	ua, h := startDirectUA(t, "127.0.0.1:9")
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_cancel"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	if err := in.Ringing(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.Canceled():
	case <-ctxT(t).Done():
		t.Fatal("Canceled() not closed")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	checkOneToTag(t, s.Messages(), in.Dialog().LocalTag(), "180 INVITE", "200 CANCEL", "487 INVITE")
}

// checkOneToTag checks that each named response ("code METHOD") sipp
// received carries the To tag want.
func checkOneToTag(t *testing.T, trace, want string, names ...string) {
	t.Helper()
	tags := map[string]string{}
	for _, r := range receivedResponses(trace) {
		if r.code == 100 {
			continue // §8.2.6.2: a 100 MAY carry a tag
		}
		tags[strconv.Itoa(r.code)+" "+r.method] = r.toTag
	}
	if want == "" {
		t.Fatal("the dialog has no local tag")
	}
	for _, k := range names {
		got, ok := tags[k]
		if !ok {
			t.Errorf("sipp received no %s (got %v)", k, tags)
			continue
		}
		if got != want {
			t.Errorf("%s To tag = %q, want the dialog's %q (all: %v)", k, got, want, tags)
		}
	}
}

func TestInsertToTag(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "CANCEL sip:a@b SIP/2.0\r\nVia: x\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\n\r\n",
			"CANCEL sip:a@b SIP/2.0\r\nVia: x\r\nTo: <sip:a@b>;tag=T\r\nFrom: <sip:c@d>;tag=1\r\n\r\n"},
		{"compact and trailing blanks", "INVITE sip:a@b SIP/2.0\r\nt: sip:a@b  \r\nf: <sip:c@d>;tag=1\r\n\r\nv=0\r\n",
			"INVITE sip:a@b SIP/2.0\r\nt: sip:a@b;tag=T  \r\nf: <sip:c@d>;tag=1\r\n\r\nv=0\r\n"},
		{"folded", "INVITE sip:a@b SIP/2.0\r\nTo: \"A\"\r\n <sip:a@b>\r\nCall-ID: 1\r\n\r\n",
			"INVITE sip:a@b SIP/2.0\r\nTo: \"A\"\r\n <sip:a@b>;tag=T\r\nCall-ID: 1\r\n\r\n"},
		{"bare LF", "INVITE sip:a@b SIP/2.0\nTo: <sip:a@b>\nCall-ID: 1\n\n",
			"INVITE sip:a@b SIP/2.0\nTo: <sip:a@b>;tag=T\nCall-ID: 1\n\n"},
		{"no To", "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n", "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n"},
		{"To only in body", "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\nTo: x\r\n", "INVITE sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\nTo: x\r\n"},
		{"two To", "INVITE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\nTo: <sip:c@b>\r\n\r\n", "INVITE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\nTo: <sip:c@b>\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(insertToTag([]byte(tc.in), "T")); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

const filterInvite = "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\n" +
	"From: <sip:sipp@127.0.0.1>;tag=caller\r\n" +
	"To: <sip:1001@127.0.0.1>\r\n" +
	"Call-ID: cid-1\r\nCSeq: 1 INVITE\r\nContact: <sip:sipp@127.0.0.1:5070>\r\nContent-Length: 0\r\n\r\n"

func TestToTaggerFilter(t *testing.T) {
	tt := newToTagger()
	now := time.Unix(1000, 0)
	tt.now = func() time.Time { return now }
	udp := sip.TransportReadProps{Transport: "udp"}
	tcp := sip.TransportReadProps{Transport: "tcp"}
	cancel := strings.NewReplacer("INVITE sip", "CANCEL sip", "1 INVITE", "1 CANCEL").Replace(filterInvite)

	inv, _ := tt.filter(udp, []byte(filterInvite))
	tag := tt.lookup(txIdentity{"cid-1", "caller", "z9hG4bK-1"})
	if tag == "" || !bytes.Contains(inv, []byte("To: <sip:1001@127.0.0.1>;tag="+tag+"\r\n")) {
		t.Fatalf("INVITE not tagged: %q", inv)
	}
	again, _ := tt.filter(udp, []byte(filterInvite))
	if !bytes.Equal(again, inv) {
		t.Errorf("retransmission tagged differently: %q", again)
	}
	c, _ := tt.filter(tcp, []byte(cancel))
	if !bytes.Contains(c, []byte(";tag="+tag+"\r\n")) {
		t.Errorf("CANCEL not tagged: %q", c)
	}
	if two := []byte(cancel + cancel); !bytes.Equal(mustFilter(t, tt, tcp, two), two) {
		t.Error("a stream read of two messages was rewritten")
	}
	other := strings.Replace(cancel, "branch=z9hG4bK-1", "branch=z9hG4bK-2", 1)
	if got := mustFilter(t, tt, udp, []byte(other)); string(got) != other {
		t.Error("a CANCEL of another transaction was tagged")
	}
	reinvite := strings.Replace(filterInvite, "To: <sip:1001@127.0.0.1>", "To: <sip:1001@127.0.0.1>;tag=x", 1)
	if got := mustFilter(t, tt, udp, []byte(reinvite)); string(got) != reinvite {
		t.Error("a re-INVITE was rewritten")
	}
	if got := mustFilter(t, tt, udp, []byte("OPTIONS sip:a SIP/2.0\r\n\r\n")); string(got) != "OPTIONS sip:a SIP/2.0\r\n\r\n" {
		t.Error("OPTIONS rewritten")
	}

	// An unclaimed tag goes after the grace period; a claimed one stays
	// until released.
	req, err := sip.ParseMessage(inv)
	if err != nil {
		t.Fatal(err)
	}
	if !tt.injected(req.(*sip.Request)) || tt.claim(req.(*sip.Request)) != tag {
		t.Fatal("claim of the tagged INVITE failed")
	}
	now = now.Add(2 * toTagGrace)
	tt.tagFor(txIdentity{"sweep", "x", "z9hG4bK-9"})
	if tt.lookup(txIdentity{"cid-1", "caller", "z9hG4bK-1"}) != tag {
		t.Error("claimed tag swept")
	}
	tt.release(req.(*sip.Request))
	now = now.Add(2 * toTagGrace)
	tt.tagFor(txIdentity{"sweep2", "x", "z9hG4bK-9"})
	if tt.lookup(txIdentity{"cid-1", "caller", "z9hG4bK-1"}) != "" {
		t.Error("released tag kept past the grace period")
	}
}

func mustFilter(t *testing.T, tt *toTagger, p sip.TransportReadProps, data []byte) []byte {
	t.Helper()
	out, err := tt.filter(p, data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
