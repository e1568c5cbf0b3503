package sipua

// Hardening tests: malformed input, TLS, stale nonces, NAT Contact fix-up,
// keep-alive. Each proves a behaviour the product relies on and that had no
// test; see the doc comment of each test for the RFC and the reason.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-voip/parley/internal/testrig"
)

// --- helpers: a raw SIP peer over UDP ---

// udpPeer is a plain net.Dial("udp") socket towards a UA, so a test can send
// any bytes at all, not only what a SIP stack would let it build.
type udpPeer struct {
	t    *testing.T
	c    net.Conn
	port int
}

func newUDPPeer(t *testing.T, uaAddr string) *udpPeer {
	t.Helper()
	c, err := net.Dial("udp", uaAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &udpPeer{t: t, c: c, port: c.LocalAddr().(*net.UDPAddr).Port}
}

func (p *udpPeer) send(b []byte) {
	p.t.Helper()
	if _, err := p.c.Write(b); err != nil {
		p.t.Fatalf("send: %v", err)
	}
}

// waitFinal reads datagrams until a final response to the request with
// that Via branch arrives (provisional ones and unparsable datagrams are
// skipped). The branch, not the Call-ID, identifies the transaction (RFC
// 3261 §17.1.3), and it is there even when the Call-ID is not.
func (p *udpPeer) waitFinal(branch string) *sip.Response {
	p.t.Helper()
	deadline := time.Now().Add(testTimeout)
	buf := make([]byte, 65535)
	for {
		_ = p.c.SetReadDeadline(deadline)
		n, err := p.c.Read(buf)
		if err != nil {
			p.t.Fatalf("no final response for branch %q: %v", branch, err)
		}
		msg, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		res, ok := msg.(*sip.Response)
		if !ok || res.IsProvisional() || res.Via() == nil {
			continue
		}
		if b, _ := res.Via().Params.Get("branch"); b == branch {
			return res
		}
	}
}

// ackFinal ACKs a non-2xx final response to an INVITE (RFC 3261 §17.1.1.3),
// so the UA's server transaction stops retransmitting it.
func (p *udpPeer) ackFinal(res *sip.Response) {
	p.t.Helper()
	cseq, via, from, to := res.CSeq(), res.Via(), res.From(), res.To()
	if cseq == nil || cseq.MethodName != sip.INVITE || via == nil || from == nil || to == nil {
		return
	}
	branch, _ := via.Params.Get("branch")
	p.send([]byte(fmt.Sprintf("ACK sip:1001@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"+
		"From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		p.port, branch, from.Value(), to.Value(), callIDOf(res), cseq.SeqNo)))
}

// probe proves the UA still answers: OPTIONS → 200 (RFC 3261 §11.2).
func (p *udpPeer) probe() {
	p.t.Helper()
	callID := "probe-" + randomToken(10)
	msg := rawRequest(sip.OPTIONS, callID, "UDP", p.port, "").build()
	p.send(msg)
	if res := p.waitFinal(branchOf(msg)); res.StatusCode != 200 {
		p.t.Fatalf("UA no longer answers OPTIONS: %d %s", res.StatusCode, res.Reason)
	}
}

var branchRe = regexp.MustCompile(`branch=(z9hG4bK[0-9a-zA-Z]+)`)

// branchOf returns the first Via branch in a raw message.
func branchOf(msg []byte) string {
	if m := branchRe.FindSubmatch(msg); m != nil {
		return string(m[1])
	}
	return ""
}

// rawReq is a request built line by line so tests can remove, break or
// oversize any header.
type rawReq struct {
	start string
	hdrs  []string // "Name: value"
	body  string
	cl    string // Content-Length override; "" = the body's length
}

func rawRequest(method sip.RequestMethod, callID, transport string, port int, body string) *rawReq {
	r := &rawReq{
		start: string(method) + " sip:1001@127.0.0.1 SIP/2.0",
		hdrs: []string{
			fmt.Sprintf("Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s;rport", transport, port, randomToken(16)),
			"From: <sip:mallory@127.0.0.1>;tag=" + randomToken(8),
			"To: <sip:1001@127.0.0.1>",
			"Call-ID: " + callID,
			"CSeq: 1 " + string(method),
			fmt.Sprintf("Contact: <sip:mallory@127.0.0.1:%d;transport=%s>", port, strings.ToLower(transport)),
			"Max-Forwards: 70",
		},
		body: body,
	}
	if body != "" {
		r.hdrs = append(r.hdrs, "Content-Type: application/sdp")
	}
	return r
}

// without drops every header with that name.
func (r *rawReq) without(name string) *rawReq {
	out := r.hdrs[:0:0]
	for _, h := range r.hdrs {
		if !strings.HasPrefix(strings.ToLower(h), strings.ToLower(name)+":") {
			out = append(out, h)
		}
	}
	r.hdrs = out
	return r
}

// with replaces the header with that name (or adds it).
func (r *rawReq) with(name, value string) *rawReq {
	r.without(name)
	r.hdrs = append(r.hdrs, name+": "+value)
	return r
}

func (r *rawReq) build() []byte {
	var b strings.Builder
	b.WriteString(r.start + "\r\n")
	for _, h := range r.hdrs {
		b.WriteString(h + "\r\n")
	}
	cl := r.cl
	if cl == "" {
		cl = fmt.Sprint(len(r.body))
	}
	b.WriteString("Content-Length: " + cl + "\r\n\r\n" + r.body)
	return []byte(b.String())
}

// malHandler answers incoming calls for the malformed-input tests: the
// garbage-SDP call is rejected 488 (what the media layer does with an offer
// it cannot read), sipp's call goes to the test, anything else is
// unexpected (a malformed INVITE that should never have reached the
// application).
type malHandler struct {
	*testHandler
	mu         sync.Mutex
	unexpected []string
}

func (h *malHandler) OnIncoming(ctx context.Context, in *Incoming) {
	switch {
	case strings.HasPrefix(in.CallID, "garbage-sdp-"):
		_ = in.Reject(488, "")
	case strings.HasPrefix(in.CallID, "mal-"), strings.HasPrefix(in.CallID, "probe-"):
		h.mu.Lock()
		h.unexpected = append(h.unexpected, in.CallID)
		h.mu.Unlock()
		_ = in.Reject(500, "")
	default:
		h.testHandler.OnIncoming(ctx, in)
	}
}

// TestMalformedUDPNeverPanics throws malformed and unexpected SIP at a
// started UA's UDP socket. For each datagram, the status the UA (or sipgo
// below it) must answer is asserted when there is one; datagrams that
// cannot be answered (unparsable, no Via to route a response by, RFC 3261
// §18.2.2) are dropped, and an OPTIONS probe then proves the UA survived.
// At the end a real sipp call to the same UA must still work.
func TestMalformedUDPNeverPanics(t *testing.T) {
	testrig.Require(t, "sipp")
	h := &malHandler{testHandler: newTestHandler()}
	ua := newTestUA(t, Config{Transport: "udp", Server: "127.0.0.1:9", Username: "1001",
		RegisterExpiry: -1}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	rnd := rand.New(rand.NewPCG(1, 2)) // reproducible garbage
	garbage := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rnd.UintN(256))
		}
		return b
	}
	invite := func(p *udpPeer, callID string) *rawReq {
		return rawRequest(sip.INVITE, callID, "UDP", p.port, testSDP)
	}

	cases := []struct {
		name string
		// msg builds the datagram; callID is the Call-ID to use when it has one.
		msg func(p *udpPeer, callID string) []byte
		// want is the status the UA must answer; 0: dropped (nothing to assert
		// but survival: the probe and the final sipp call).
		want int
	}{
		{"random bytes", func(*udpPeer, string) []byte { return garbage(2000) }, 0},
		{"empty datagram", func(*udpPeer, string) []byte { return nil }, 0},
		{"NUL bytes", func(*udpPeer, string) []byte { return make([]byte, 100) }, 0},
		{"CRLF keep-alive (RFC 5626 §3.5.1)", func(*udpPeer, string) []byte { return []byte("\r\n\r\n") }, 0},
		{"single CRLF", func(*udpPeer, string) []byte { return []byte("\r\n") }, 0},
		{"start line only", func(*udpPeer, string) []byte { return []byte("INVITE\r\n\r\n") }, 0},
		{"truncated INVITE, headers cut mid-line", func(p *udpPeer, id string) []byte {
			b := invite(p, id).build()
			return b[:bytes.Index(b, []byte("Call-ID:"))+12]
		}, 0},
		// RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are
		// mandatory. With a Via there is somewhere to send the 400.
		{"INVITE without Call-ID", func(p *udpPeer, id string) []byte { return invite(p, id).without("Call-ID").build() }, 400},
		{"INVITE without From", func(p *udpPeer, id string) []byte { return invite(p, id).without("From").build() }, 400},
		{"INVITE without To", func(p *udpPeer, id string) []byte { return invite(p, id).without("To").build() }, 400},
		{"INVITE without CSeq (sipgo stateless 400)", func(p *udpPeer, id string) []byte { return invite(p, id).without("CSeq").build() }, 400},
		{"INVITE without Via (no route for a response)", func(p *udpPeer, id string) []byte { return invite(p, id).without("Via").build() }, 0},
		{"INVITE without Contact (RFC 3261 §8.1.1.8)", func(p *udpPeer, id string) []byte { return invite(p, id).without("Contact").build() }, 400},
		{"CSeq with a non-number", func(p *udpPeer, id string) []byte { return invite(p, id).with("CSeq", "abc INVITE").build() }, 0},
		// RFC 3261 §8.1.1.5: the CSeq method MUST match the request's.
		{"CSeq method mismatch", func(p *udpPeer, id string) []byte { return invite(p, id).with("CSeq", "1 BYE").build() }, 400},
		{"Max-Forwards not a number", func(p *udpPeer, id string) []byte { return invite(p, id).with("Max-Forwards", "many").build() }, 0},
		{"From not an address", func(p *udpPeer, id string) []byte { return invite(p, id).with("From", "<<<>>>;tag=x").build() }, 0},
		{"Content-Length larger than the body", func(p *udpPeer, id string) []byte {
			r := invite(p, id)
			r.cl = "5000"
			return r.build()
		}, 0},
		{"Content-Length negative", func(p *udpPeer, id string) []byte {
			r := invite(p, id)
			r.cl = "-5"
			return r.build()
		}, 0},
		{"Content-Length not a number", func(p *udpPeer, id string) []byte {
			r := invite(p, id)
			r.cl = "lots"
			return r.build()
		}, 0},
		// RFC 3261 §21.4.13: a body type the UAS does not understand → 415.
		{"INVITE whose body is not SDP", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.INVITE, id, "UDP", p.port, "hello, this is text").with("Content-Type", "text/plain").build()
		}, 415},
		// RFC 3261 §20.15: Content-Type MUST be present with a body.
		{"INVITE with a body but no Content-Type", func(p *udpPeer, id string) []byte {
			return invite(p, id).without("Content-Type").build()
		}, 400},
		// SDP is opaque to sipua: garbage SDP reaches the application, which
		// rejects it (malHandler: 488, RFC 3261 §21.4.26).
		{"INVITE with garbage SDP", func(p *udpPeer, _ string) []byte {
			return rawRequest(sip.INVITE, "garbage-sdp-"+randomToken(8), "UDP", p.port, "v=banana\r\nm=\x01\x02\r\n").build()
		}, 488},
		{"OPTIONS with a 10 KB header", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.OPTIONS, id, "UDP", p.port, "").with("X-Big", strings.Repeat("a", 10<<10)).build()
		}, 200},
		{"40 KB datagram (beyond the read buffer)", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.OPTIONS, id, "UDP", p.port, "").with("X-Big", strings.Repeat("a", 40<<10)).build()
		}, 0},
		{"response for no transaction", func(p *udpPeer, id string) []byte {
			return []byte(fmt.Sprintf("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKnone%s\r\n"+
				"From: <sip:1001@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: %s\r\nCSeq: 7 INVITE\r\n"+
				"Contact: <sip:x@127.0.0.1:9>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
				p.port, randomToken(8), id, len(testSDP), testSDP))
		}, 0},
		{"response without Via or CSeq", func(*udpPeer, string) []byte {
			return []byte("SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n")
		}, 0},
		{"ACK for an unknown dialog", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.ACK, id, "UDP", p.port, "").with("To", "<sip:1001@127.0.0.1>;tag=nosuch").build()
		}, 0},
		// RFC 3261 §12.2.2 / §15.1.2: in-dialog request for no dialog → 481.
		{"BYE for an unknown dialog", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.BYE, id, "UDP", p.port, "").with("To", "<sip:1001@127.0.0.1>;tag=nosuch").build()
		}, 481},
		{"re-INVITE for an unknown dialog", func(p *udpPeer, id string) []byte {
			return invite(p, id).with("To", "<sip:1001@127.0.0.1>;tag=nosuch").build()
		}, 481},
		{"INFO for an unknown dialog", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.INFO, id, "UDP", p.port, "").with("To", "<sip:1001@127.0.0.1>;tag=nosuch").build()
		}, 481},
		// RFC 3261 §9.2: CANCEL matching no transaction → 481.
		{"CANCEL for no transaction", func(p *udpPeer, id string) []byte {
			return rawRequest(sip.CANCEL, id, "UDP", p.port, "").build()
		}, 481},
		{"unknown method", func(p *udpPeer, id string) []byte {
			r := rawRequest("FROBNICATE", id, "UDP", p.port, "")
			return r.build()
		}, 405},
	}
	names := map[string]string{}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newUDPPeer(t, ua.LocalAddr())
			callID := fmt.Sprintf("mal-%d-%s", i, randomToken(8))
			names[callID] = tc.name
			msg := tc.msg(p, callID)
			p.send(msg)
			if tc.want != 0 {
				res := p.waitFinal(branchOf(msg))
				if res.StatusCode != tc.want {
					t.Errorf("answered %d %s, want %d", res.StatusCode, res.Reason, tc.want)
				}
				if tc.want == 415 {
					// RFC 3261 §21.4.13: the 415 lists what we accept.
					if a := res.GetHeader("Accept"); a == nil || !strings.Contains(a.Value(), "application/sdp") {
						t.Errorf("415 without Accept: application/sdp")
					}
				}
				p.ackFinal(res)
			}
			p.probe()
		})
	}
	h.mu.Lock()
	if len(h.unexpected) > 0 {
		for _, id := range h.unexpected {
			t.Errorf("malformed INVITE reached the application: %s", names[id])
		}
	}
	h.mu.Unlock()

	// A normal call still works on the same socket.
	s := testrig.StartSipp(t, testrig.SippOptions{Scenario: sippScenario("uac_answer"),
		Remote: ua.LocalAddr(), Args: []string{"-s", "1001"}})
	in := h.waitIncoming(t)
	d, err := in.Answer([]byte(testSDP))
	if err != nil {
		t.Fatalf("Answer after malformed input: %v", err)
	}
	select {
	case <-d.Done():
	case <-ctxT(t).Done():
		t.Fatal("remote BYE not seen")
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// --- TLS ---

// startTLSRegistrar runs a minimal sipgo registrar over SIP/TLS (RFC 3261
// §26.2.1, port 5061 style) and records the Via transport of each REGISTER.
func startTLSRegistrar(t *testing.T, cert tls.Certificate) (string, chan string) {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-registrar-tls"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 16)
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		if v := req.Via(); v != nil {
			seen <- v.Transport
		}
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if c := req.Contact(); c != nil {
			cc := c.Clone()
			cc.Params = sip.NewParams()
			cc.Params.Add("expires", "120")
			res.AppendHeader(cc)
		}
		_ = tx.Respond(res)
	})
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeTLS(l) }()
	t.Cleanup(func() { _ = l.Close(); _ = ua.Close() })
	return l.Addr().String(), seen
}

// TestTLSRegisterVerifiesCertificate: Transport "tls" registers over SIP/TLS
// when the server certificate chains to TLSConfig.RootCAs, and fails with a
// plain-language ErrUnreachable naming the certificate otherwise (never
// silently skipping verification, RFC 5630 / RFC 3261 §26.3.1).
func TestTLSRegisterVerifiesCertificate(t *testing.T) {
	cert, pool := selfSigned(t)
	addr, seen := startTLSRegistrar(t, cert)

	cases := []struct {
		name    string
		tlsConf *tls.Config
		ok      bool
	}{
		{"CA in RootCAs", &tls.Config{RootCAs: pool}, true},
		{"system roots only", &tls.Config{}, false},
		{"nil TLSConfig (system roots)", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHandler()
			ua := newTestUA(t, Config{Transport: "tls", Server: addr, Domain: "parley.test",
				Username: "u1", TLSConfig: tc.tlsConf, KeepAlive: -1}, h)
			err := ua.Start(ctxT(t))
			if !tc.ok {
				if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
					t.Fatalf("Start err = %v, want ErrUnreachable about the certificate", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			st := ua.RegState()
			if st.Status != RegRegistered || st.Expires != 120*time.Second || !strings.Contains(st.Contact, "transport=tls") {
				t.Errorf("RegState = %+v", st)
			}
			select {
			case tr := <-seen:
				if tr != "TLS" {
					t.Errorf("REGISTER Via transport %q, want TLS", tr)
				}
			case <-ctxT(t).Done():
				t.Fatal("registrar saw no REGISTER")
			}
			if err := ua.Close(ctxT(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

// --- stale nonce (RFC 7616 §3.3, RFC 2617 §3.2.1) ---

// regLog records every registration event.
type regLog struct {
	*testHandler
	mu  sync.Mutex
	all []RegState
}

func newRegLog() *regLog { return &regLog{testHandler: newTestHandler()} }

func (h *regLog) OnRegistration(s RegState) {
	h.mu.Lock()
	h.all = append(h.all, s)
	h.mu.Unlock()
	h.testHandler.OnRegistration(s)
}

func (h *regLog) events() []RegState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]RegState(nil), h.all...)
}

// TestRegisterStaleNonce: a 401 with stale=true means the credentials were
// right and only the nonce expired (RFC 7616 §3.3); the UA must answer the
// new nonce at once and never report a failure. Covered both on a refresh
// and on the digest answer itself (the nonce expiring between challenge and
// answer, which is what a second 401 looks like to the "wrong password"
// check).
func TestRegisterStaleNonce(t *testing.T) {
	testrig.Require(t, "sipp")
	cases := []struct {
		scenario string
		refresh  bool // the stale challenge comes on the timer-driven refresh
	}{
		{"reg_stale_refresh", true},
		{"reg_stale_answer", false},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			s := startUAS(t, tc.scenario)
			h := newRegLog()
			ua := newTestUA(t, Config{Transport: "udp", Server: s.Addr(), Domain: "parley.test",
				Username: "1001", Password: "secret"}, h)
			if err := ua.Start(ctxT(t)); err != nil {
				t.Fatalf("Start: %v", err)
			}
			h.waitReg(t, RegRegistered)
			if tc.refresh {
				h.waitReg(t, RegRegistering) // refresh started by the timer
				h.waitReg(t, RegRegistered)
			}
			if st := ua.RegState(); st.Status != RegRegistered || st.Expires != 60*time.Second {
				t.Errorf("RegState = %+v", st)
			}
			if err := ua.Close(ctxT(t)); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if _, err := s.Wait(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			for _, e := range h.events() {
				if e.Status == RegFailed {
					t.Errorf("stale nonce reported as a failure: %+v", e)
				}
			}
		})
	}
}

// TestOutgoingStaleNonce: INVITE answered 401, then 401 stale=true on the
// authenticated retry (sipgo #329), then 200 → the call is established.
func TestOutgoingStaleNonce(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "uas_auth_stale")
	ua, _ := startDirectUA(t, s.Addr())
	d, err := ua.Dial(ctxT(t), "1002", []byte(testSDP), DialOptions{})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if len(d.RemoteSDP()) == 0 {
		t.Error("no answer SDP")
	}
	if err := d.Bye(ctxT(t)); err != nil {
		t.Fatalf("Bye: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

// --- Contact fix-up from Via received/rport (RFC 3581 §4) ---

// TestRegisterContactFixedFromVia: the registrar's 200 shows our address as
// 192.0.2.99:40000 (a NAT mapping). sipgo does not act on that; sipua must
// re-register with that Contact (pjsip/Linphone behaviour, so calls from the
// PBX reach the NAT mapping) and report it. sipp checks the Contact of the
// second REGISTER and of the un-REGISTER.
func TestRegisterContactFixedFromVia(t *testing.T) {
	testrig.Require(t, "sipp")
	s := startUAS(t, "reg_nat")
	h := newRegLog()
	ua := newTestUA(t, Config{Transport: "udp", Server: s.Addr(), Domain: "parley.test",
		Username: "1001", Password: "secret"}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	const want = "sip:1001@192.0.2.99:40000"
	if st := ua.RegState(); st.Status != RegRegistered || st.Contact != want {
		t.Errorf("RegState = %+v, want Contact %s", st, want)
	}
	if err := ua.Close(ctxT(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Wait(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// Registered is only reported for the fixed Contact: the binding at the
	// private address was replaced at once.
	for _, e := range h.events() {
		if e.Status == RegRegistered && e.Contact != want {
			t.Errorf("Registered reported with Contact %q", e.Contact)
		}
	}
}
