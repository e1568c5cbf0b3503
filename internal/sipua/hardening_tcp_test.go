package sipua

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// rawTCPRegistrar is a hand-written SIP-over-TCP registrar: it frames
// messages itself (RFC 3261 §18.3, Content-Length), answers REGISTER and
// OPTIONS with 200, and lets the test write any bytes on the UA's
// connection.
type rawTCPRegistrar struct {
	t     *testing.T
	l     net.Listener
	conns chan *rawTCPConn
}

// rawTCPConn is one accepted connection from the UA.
type rawTCPConn struct {
	c      net.Conn
	wmu    sync.Mutex
	msgs   chan sip.Message // every message received, after auto-answers
	pongs  chan struct{}    // a bare CRLF between messages (RFC 5626 §3.5.1 pong)
	closed chan struct{}    // the UA closed the connection
}

func startRawTCPRegistrar(t *testing.T) *rawTCPRegistrar {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &rawTCPRegistrar{t: t, l: l, conns: make(chan *rawTCPConn, 16)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			all = append(all, c)
			mu.Unlock()
			rc := &rawTCPConn{c: c, msgs: make(chan sip.Message, 256), pongs: make(chan struct{}, 16), closed: make(chan struct{})}
			r.conns <- rc
			wg.Add(1)
			go func() {
				defer wg.Done()
				rc.read()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range all {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return r
}

func (r *rawTCPRegistrar) addr() string { return r.l.Addr().String() }

// next waits for the UA's next connection.
func (r *rawTCPRegistrar) next(t *testing.T) *rawTCPConn {
	t.Helper()
	select {
	case c := <-r.conns:
		return c
	case <-time.After(testTimeout):
		t.Fatal("the UA opened no (new) connection")
		return nil
	}
}

func (c *rawTCPConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.c.Write(b)
	return err
}

// read frames messages, answers REGISTER/OPTIONS and queues everything.
func (c *rawTCPConn) read() {
	defer close(c.closed)
	br := bufio.NewReader(c.c)
	for {
		var head bytes.Buffer
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" || line == "\n" {
				if head.Len() == 0 { // between messages: keep-alive pong
					select {
					case c.pongs <- struct{}{}:
					default:
					}
					continue
				}
				head.WriteString(line)
				break
			}
			head.WriteString(line)
		}
		n := 0
		for _, l := range strings.Split(head.String(), "\r\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Content-Length") || strings.TrimSpace(k) == "l") {
				n, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		msg, err := sip.ParseMessage(append(head.Bytes(), body...))
		if err != nil {
			continue
		}
		if req, ok := msg.(*sip.Request); ok && (req.Method == sip.REGISTER || req.Method == sip.OPTIONS) {
			req.SetSource(c.c.RemoteAddr().String()) // received/rport in the 200 (RFC 3581)
			res := sip.NewResponseFromRequest(req, 200, "OK", nil)
			if ct := req.Contact(); ct != nil && req.Method == sip.REGISTER {
				cc := ct.Clone()
				cc.Params = sip.NewParams()
				cc.Params.Add("expires", "60")
				res.AppendHeader(cc)
			}
			_ = c.write([]byte(res.String()))
		}
		select {
		case c.msgs <- msg:
		default:
		}
	}
}

// waitRequest waits for a request with that method on this connection.
func (c *rawTCPConn) waitRequest(t *testing.T, method sip.RequestMethod) *sip.Request {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case m := <-c.msgs:
			if req, ok := m.(*sip.Request); ok && req.Method == method {
				return req
			}
		case <-c.closed:
			t.Fatalf("connection closed while waiting for %s", method)
		case <-timeout:
			t.Fatalf("no %s on the connection", method)
		}
	}
}

// waitFinal waits for a final response to the request with that Via branch
// (RFC 3261 §17.1.3; present even when the Call-ID is not).
func (c *rawTCPConn) waitFinal(t *testing.T, branch string) *sip.Response {
	t.Helper()
	timeout := time.After(testTimeout)
	for {
		select {
		case m := <-c.msgs:
			res, ok := m.(*sip.Response)
			if !ok || res.IsProvisional() || res.Via() == nil {
				continue
			}
			if b, _ := res.Via().Params.Get("branch"); b == branch {
				return res
			}
		case <-c.closed:
			t.Fatalf("connection closed while waiting for a response to %s", branch)
		case <-timeout:
			t.Fatalf("no response to %s", branch)
		}
	}
}

// probe: OPTIONS from the server over the flow → 200 (the UA still serves
// requests arriving on its registration flow, RFC 5626 §5).
func (c *rawTCPConn) probe(t *testing.T) {
	t.Helper()
	port := c.c.LocalAddr().(*net.TCPAddr).Port
	callID := "probe-" + randomToken(10)
	msg := rawRequest(sip.OPTIONS, callID, "TCP", port, "").build()
	if err := c.write(msg); err != nil {
		t.Fatal(err)
	}
	if res := c.waitFinal(t, branchOf(msg)); res.StatusCode != 200 {
		t.Fatalf("OPTIONS over the flow answered %d", res.StatusCode)
	}
}

// TestMalformedTCPKeepsFlowOrReconnects writes malformed messages on the
// UA's registration flow. Well framed but invalid requests are answered on
// the same connection. A framing error leaves no message boundary to resync
// on (RFC 3261 §18.3), so sipgo closes the connection; the UA must notice
// the lost flow and re-register on a new connection. Either way a probe
// OPTIONS must be answered afterwards.
func TestMalformedTCPKeepsFlowOrReconnects(t *testing.T) {
	srv := startRawTCPRegistrar(t)
	h := newTestHandler()
	ua := newTestUA(t, Config{Transport: "tcp", Server: srv.addr(), Domain: "parley.test",
		Username: "1001", KeepAlive: -1}, h)
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	h.waitReg(t, RegRegistered)
	conn := srv.next(t)
	conn.waitRequest(t, sip.REGISTER)

	cases := []struct {
		name string
		msg  func(port int, callID string) []byte
		// want: status answered on the same flow; 0 with reconnect: the
		// connection is dropped and the UA re-registers on a new one.
		want      int
		reconnect bool
	}{
		{"BYE for an unknown dialog", func(port int, id string) []byte {
			return rawRequest(sip.BYE, id, "TCP", port, "").with("To", "<sip:1001@127.0.0.1>;tag=nosuch").build()
		}, 481, false},
		{"INVITE without Call-ID", func(port int, id string) []byte {
			return rawRequest(sip.INVITE, id, "TCP", port, testSDP).without("Call-ID").build()
		}, 400, false},
		{"INVITE without From", func(port int, id string) []byte {
			return rawRequest(sip.INVITE, id, "TCP", port, testSDP).without("From").build()
		}, 400, false},
		{"response for no transaction", func(port int, id string) []byte {
			return []byte(fmt.Sprintf("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bKnone\r\n"+
				"From: <sip:1001@parley.test>;tag=a\r\nTo: <sip:x@parley.test>;tag=b\r\nCall-ID: %s\r\nCSeq: 3 INVITE\r\nContent-Length: 0\r\n\r\n", port, id))
		}, 0, false},
		{"framed garbage", func(int, string) []byte {
			return []byte("HELLO WORLD this is not SIP\r\nfoo bar\r\n\r\n")
		}, 0, true},
		{"Content-Length not a number", func(port int, id string) []byte {
			r := rawRequest(sip.OPTIONS, id, "TCP", port, "")
			r.cl = "lots"
			return r.build()
		}, 0, true},
		{"random bytes then a blank line", func(int, string) []byte {
			b := []byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not sip at all \x00\xff\r\n")
			return append(b, "\r\n"...)
		}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := conn.c.LocalAddr().(*net.TCPAddr).Port
			callID := "mal-" + randomToken(12)
			msg := tc.msg(port, callID)
			if err := conn.write(msg); err != nil {
				t.Fatal(err)
			}
			if tc.reconnect {
				select {
				case <-conn.closed:
				case <-ctxT(t).Done():
					t.Fatal("connection not closed after a framing error")
				}
				conn = srv.next(t)
				conn.waitRequest(t, sip.REGISTER)
				// The lost flow shows as failed until the new one is
				// registered (never as "registering": it cannot take calls).
				h.waitRegWhere(t, "flow lost", flowLost)
				h.waitReg(t, RegRegistered)
			} else if tc.want != 0 {
				if res := conn.waitFinal(t, branchOf(msg)); res.StatusCode != tc.want {
					t.Errorf("answered %d %s, want %d", res.StatusCode, res.Reason, tc.want)
				}
			}
			conn.probe(t)
		})
	}

	// RFC 5626 §3.5.1: a double-CRLF ping on a connection is answered with a
	// single CRLF pong and does not disturb the flow.
	t.Run("CRLF ping", func(t *testing.T) {
		if err := conn.write([]byte("\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		select {
		case <-conn.pongs:
		case <-ctxT(t).Done():
			t.Fatal("no CRLF pong")
		}
		conn.probe(t)
	})
}

// TestKeepAliveOnTCP: with Config.KeepAlive set, the UA sends OPTIONS
// keep-alives on its registration flow (doc.go; RFC 5626 §4.4 spirit), so
// NAT bindings and the server's idle timers stay alive. Observed on the
// server side; the period is short only to keep the test fast.
func TestKeepAliveOnTCP(t *testing.T) {
	srv := startRawTCPRegistrar(t)
	ua := newTestUA(t, Config{Transport: "tcp", Server: srv.addr(), Domain: "parley.test",
		Username: "1001", KeepAlive: 200 * time.Millisecond}, newTestHandler())
	if err := ua.Start(ctxT(t)); err != nil {
		t.Fatalf("Start: %v", err)
	}
	conn := srv.next(t)
	conn.waitRequest(t, sip.REGISTER)
	for i := 0; i < 3; i++ {
		req := conn.waitRequest(t, sip.OPTIONS)
		if v := req.Via(); v == nil || v.Transport != "TCP" {
			t.Errorf("keep-alive Via = %v", v)
		}
	}
	select {
	case c := <-srv.conns:
		t.Errorf("keep-alives opened a new connection from %s", c.c.RemoteAddr())
	default:
	}
	if st := ua.RegState(); st.Status != RegRegistered {
		t.Errorf("RegState after keep-alives = %+v", st)
	}
}
