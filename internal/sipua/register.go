package sipua

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// errContactChanged asks the loop to re-register at once with the Contact
// fixed from Via received/rport.
var errContactChanged = errors.New("contact changed")

// refreshRatio: refresh at 90 % of the granted expiry (sip.js uses 99 %,
// which leaves too little margin for a retransmitted REGISTER on UDP).
const refreshRatio = 0.9

// keepAliveTimeout is how long a keep-alive OPTIONS waits for any answer.
const keepAliveTimeout = 5 * time.Second

// pingsIgnoredMax: this many keep-alive losses in a row, each followed by a
// REGISTER answered at once, mean the server ignores OPTIONS.
const pingsIgnoredMax = 3

// registrar owns the REGISTER loop, the keep-alive and the flow watch.
type registrar struct {
	ua *UA

	mu      sync.Mutex
	callID  string
	cseq    uint32
	fromTag string
	flow    sip.Connection // connection transports: the flow we registered on
	flowKey string         // its remote address in sipgo's pool
	granted time.Duration
	wasReg  bool

	// A server that answers REGISTER but ignores OPTIONS would flap the
	// line every keep-alive. pingLostAt is when a keep-alive last went
	// unanswered; a REGISTER answered right after it counts in
	// pingsIgnored (reset by any answered keep-alive), and after
	// pingsIgnoredMax in a row the pings stop (pingsOff).
	pingLostAt   time.Time
	pingsIgnored int
	pingsOff     bool

	trigger  chan string // reasons to re-register now (flow drop, keep-alive failure)
	cancel   context.CancelFunc
	loopDone chan struct{}
}

func newRegistrar(ua *UA) *registrar {
	return &registrar{
		ua:       ua,
		callID:   randomToken(24),
		cseq:     uint32(rand.IntN(10000) + 1),
		fromTag:  randomToken(16),
		trigger:  make(chan string, 1),
		loopDone: make(chan struct{}),
	}
}

// run is the registration loop; first receives the first outcome.
func (r *registrar) run(parent context.Context, first chan<- error) {
	ctx, cancel := context.WithCancel(parent)
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	defer close(r.loopDone)
	defer cancel()

	ua := r.ua
	cfg := &ua.cfg
	// The flow watch runs on every connection transport, the OPTIONS
	// keep-alive on every transport (UDP too: a black-holed path is only
	// noticed by a request that gets no answer). KeepAlive < 0 only
	// disables the pings (a closed connection must still be noticed).
	if cfg.connectionOriented() || cfg.KeepAlive > 0 {
		ua.wg.Add(1)
		go func() {
			defer ua.wg.Done()
			r.keepAlive(ctx)
		}()
	}

	reported := false
	report := func(err error) {
		if !reported {
			reported = true
			first <- err
		}
	}
	backoff := cfg.RetryMin
	fixes := 0
	for {
		// After a lost flow the line stays "failed" while it tries again:
		// it cannot take calls until a REGISTER is answered, and
		// "registering" would read as nearly fine.
		if ua.RegState().Status != RegFailed {
			ua.setRegState(RegState{Status: RegRegistering, Contact: ua.contactString()})
		}
		granted, err := r.register(ctx, cfg.RegisterExpiry)
		if ctx.Err() != nil {
			report(ctx.Err())
			return
		}
		if errors.Is(err, errContactChanged) && fixes < 3 {
			fixes++
			continue
		}
		if err == nil {
			fixes = 0
			backoff = cfg.RetryMin
			r.registeredAfterLoss()
			ua.setRegState(RegState{Status: RegRegistered, Expires: granted, Contact: ua.contactString(), Verified: time.Now()})
			report(nil)
			refresh := time.Duration(float64(granted) * refreshRatio)
			if refresh < time.Second {
				refresh = time.Second
			}
			t := time.NewTimer(refresh)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			case why := <-r.trigger:
				t.Stop()
				ua.log.Info("re-registering", "reason", why)
			}
			continue
		}

		code := 0
		var se *StatusError
		if errors.As(err, &se) {
			code = se.Code
		}
		r.mu.Lock()
		r.pingLostAt = time.Time{} // the path really is down: the keep-alive was right
		r.mu.Unlock()
		permanent := errors.Is(err, ErrAuthFailed) || (code >= 400 && code < 500 && code != 408 && code != 423)
		ua.setRegState(RegState{Status: RegFailed, Err: err, Code: code, Retrying: !permanent,
			Contact: ua.contactString()})
		report(err)
		if permanent {
			ua.log.Warn("registration failed, not retrying", "err", err)
			<-ctx.Done()
			return
		}
		// A server that cannot be reached at all (connection refused, no
		// answer) is retried every few seconds at most, so a restarted
		// server has the line back within seconds of its return
		// (docs/decisions/0020-g-flow-watchdog.md); a server that answers
		// with an error backs off up to RetryMax.
		limit := cfg.RetryMax
		if code == 0 && errors.Is(err, ErrUnreachable) {
			limit = min(limit, cfg.RetryUnreachable)
		}
		wait := jitter(min(backoff, limit))
		ua.log.Info("registration failed, retrying", "err", err, "in", wait)
		backoff = min(2*backoff, limit)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// jitter spreads retries ±20 % so many phones do not reconnect in lockstep.
func jitter(d time.Duration) time.Duration {
	f := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * f)
}

// stop ends the loop and waits for it (keep-alive stops with its context).
func (r *registrar) stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-r.loopDone
	}
}

// unregister removes our binding (RFC 3261 §10.2.2) if we ever registered.
func (r *registrar) unregister(ctx context.Context) error {
	r.mu.Lock()
	was := r.wasReg
	r.mu.Unlock()
	if !was {
		return nil
	}
	_, err := r.register(ctx, 0)
	if errors.Is(err, errContactChanged) {
		err = nil
	}
	return err
}

// triggerNow asks the loop to re-register (non-blocking).
func (r *registrar) triggerNow(why string) {
	select {
	case r.trigger <- why:
	default:
	}
}

// register sends one REGISTER (with digest retries) and returns the
// granted expiry. expires == 0 un-registers.
func (r *registrar) register(ctx context.Context, expires time.Duration) (time.Duration, error) {
	ua := r.ua
	cfg := &ua.cfg
	req := r.newRequest(expires)

	// Connection transports: open (or reuse) the flow first, so a dead
	// server is reported as unreachable and the Contact/Call-ID can follow a
	// new flow.
	if cfg.connectionOriented() {
		if err := r.prepareFlow(ctx, req); err != nil {
			return 0, err
		}
	}

	auths, tooBrief := 0, 0
	for {
		tctx, cancel := context.WithTimeout(ctx, defaultRequestTimeout)
		tx, err := ua.client.TransactionRequest(tctx, req, noBuild)
		if err != nil {
			cancel()
			return 0, ua.unreachable(err)
		}
		res, err := waitFinal(tctx, tx, nil)
		tx.Terminate()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, ua.unreachable(err)
		}
		switch {
		case res.StatusCode == 401 || res.StatusCode == 407:
			stale, err := applyDigest(req, res, cfg.AuthUsername, cfg.Password)
			if err != nil {
				return 0, fmt.Errorf("%w for %s: %v", ErrAuthFailed, cfg.aor(), err)
			}
			// One digest answer, plus one more only for a stale nonce
			// (RFC 2617 §3.2.1): a second plain challenge means a wrong password.
			auths++
			if auths > 1 && !(stale && auths <= 2) {
				return 0, fmt.Errorf("%w: wrong password for %s", ErrAuthFailed, cfg.aor())
			}
			r.renew(req)
			continue
		case res.StatusCode == 403:
			return 0, fmt.Errorf("%w: %s refused by the server (403 %s)", ErrAuthFailed, cfg.aor(), res.Reason)
		case res.StatusCode == 423 && tooBrief == 0:
			// RFC 3261 §10.2.8: retry with Min-Expires.
			tooBrief++
			if h := res.GetHeader("Min-Expires"); h != nil {
				if v, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && v > 0 {
					req.ReplaceHeader(sip.NewHeader("Expires", strconv.Itoa(v)))
				}
			}
			r.renew(req)
			continue
		case res.IsSuccess():
			if expires == 0 {
				return 0, nil
			}
			r.mu.Lock()
			r.wasReg = true
			r.mu.Unlock()
			granted := grantedExpiry(res, ua.Contact(), expires)
			if r.fixContact(res) {
				return granted, errContactChanged
			}
			r.mu.Lock()
			r.granted = granted
			r.mu.Unlock()
			return granted, nil
		default:
			return 0, &StatusError{Code: res.StatusCode, Reason: res.Reason}
		}
	}
}

// newRequest builds a REGISTER for the current Contact (RFC 3261 §10.2).
func (r *registrar) newRequest(expires time.Duration) *sip.Request {
	ua := r.ua
	cfg := &ua.cfg
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: cfg.Domain})
	ua.applyLocal(req)
	req.SetDestination(ua.serverDestination())
	r.mu.Lock()
	r.cseq++
	cseq, callID := r.cseq, r.callID
	r.mu.Unlock()
	to := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: cfg.Username, Host: cfg.Domain}, Params: sip.NewParams()}
	if cfg.DisplayName != "" {
		to.DisplayName = cfg.DisplayName
	}
	cid := sip.CallIDHeader(callID)
	maxf := sip.MaxForwardsHeader(70)
	contact := ua.Contact()
	secs := strconv.Itoa(int(expires / time.Second))
	req.AppendHeader(ua.fromHeader(r.fromTag))
	req.AppendHeader(to)
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.REGISTER})
	req.AppendHeader(&maxf)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("Expires", secs))
	req.AppendHeader(sip.NewHeader("User-Agent", cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowMethods))
	req.SetBody(nil)
	addVia(ua, req)
	return req
}

// renew prepares req for a new transaction: new CSeq and branch.
func (r *registrar) renew(req *sip.Request) {
	r.mu.Lock()
	r.cseq++
	cseq := r.cseq
	r.mu.Unlock()
	if h := req.CSeq(); h != nil {
		h.SeqNo = cseq
	}
	req.RemoveHeader("Via")
	addVia(r.ua, req)
}

// prepareFlow opens the connection for req and, when it is a new flow,
// adopts its local port (TCP Contact) and a new Call-ID (a re-used Call-ID
// on a new WS flow leaves kamailio bound to the dead one, docs/testing.md).
func (r *registrar) prepareFlow(ctx context.Context, req *sip.Request) error {
	ua := r.ua
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := ua.sua.TransportLayer().ClientRequestConnection(tctx, req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ua.unreachable(err)
	}
	key := req.Destination()
	if ra, ok := conn.(interface{ RemoteAddr() net.Addr }); ok {
		key = ra.RemoteAddr().String()
	}
	_, _ = conn.TryClose()
	r.mu.Lock()
	newFlow := r.flow != conn
	r.flow, r.flowKey = conn, key
	if newFlow && r.cseq > 1 && ua.cfg.isWebSocket() {
		r.callID = randomToken(24)
		if h := req.CallID(); h != nil {
			*h = sip.CallIDHeader(r.callID)
		}
	}
	r.mu.Unlock()
	if newFlow && (ua.cfg.Transport == "tcp" || ua.cfg.Transport == "tls") {
		if la, ok := conn.LocalAddr().(*net.TCPAddr); ok {
			c := ua.Contact()
			if c.Address.Port != la.Port {
				c.Address.Host, c.Address.Port = la.IP.String(), la.Port
				ua.setContact(c)
				req.ReplaceHeader(&c)
			}
		}
	}
	return nil
}

// flowAlive reports whether the registered flow is still the pooled
// connection to the server (sipgo drops closed connections from its pool).
func (r *registrar) flowAlive() bool {
	r.mu.Lock()
	flow, key := r.flow, r.flowKey
	r.mu.Unlock()
	if flow == nil {
		return true
	}
	c, err := r.ua.sua.TransportLayer().GetConnection(r.ua.cfg.Transport, key)
	if err != nil || c == nil {
		return false
	}
	_, _ = c.TryClose() // undo GetConnection's reference
	return c == flow
}

// keepAlive watches the flow every second (connection transports) and
// sends OPTIONS every KeepAlive when it is positive (RFC 5626 §4.4 spirit;
// kamailio and Asterisk answer OPTIONS, while CRLF pings are not understood
// by every WS server, and a UDP STUN keep-alive needs a STUN server on the
// SIP port). A check that fails marks the line failed at once (lost).
func (r *registrar) keepAlive(ctx context.Context) {
	ua := r.ua
	var watchC <-chan time.Time // connection transports only
	if ua.cfg.connectionOriented() {
		watch := time.NewTicker(time.Second)
		defer watch.Stop()
		watchC = watch.C
	}
	var kaC <-chan time.Time // nil (never fires) when keep-alives are disabled
	if ua.cfg.KeepAlive > 0 {
		ka := time.NewTicker(ua.cfg.KeepAlive)
		defer ka.Stop()
		kaC = ka.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-watchC:
			if ua.RegState().Status == RegRegistered && !r.flowAlive() {
				r.lost(fmt.Errorf("%w: the connection to %s closed", ErrFlowLost, ua.cfg.Server))
			}
		case <-kaC:
			r.mu.Lock()
			off := r.pingsOff
			r.mu.Unlock()
			if off || ua.RegState().Status != RegRegistered {
				continue
			}
			err := r.ping(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				ua.log.Info("keep-alive failed", "err", err)
				r.mu.Lock()
				r.pingLostAt = time.Now()
				r.mu.Unlock()
				r.lost(fmt.Errorf("%w: %s stopped answering keep-alives", ErrFlowLost, ua.cfg.Server))
				continue
			}
			r.mu.Lock()
			r.pingsIgnored = 0
			r.mu.Unlock()
			r.verified()
		}
	}
}

// lost reports a failed flow check at once (RFC 5626 §4.4: the flow is
// dead, so is every binding on it): the line is "failed, retrying" from
// now, not when a REGISTER that may take 32 s times out. On a connection
// transport the dead connection is closed, so the re-REGISTER opens a new
// one instead of queueing behind a half-open socket that no write fails
// on.
func (r *registrar) lost(err error) {
	ua := r.ua
	if ua.RegState().Status != RegRegistered {
		return
	}
	ua.setRegState(RegState{Status: RegFailed, Err: err, Retrying: true, Contact: ua.contactString()})
	if ua.cfg.connectionOriented() {
		r.mu.Lock()
		flow := r.flow
		r.flow, r.flowKey = nil, ""
		r.mu.Unlock()
		if flow != nil {
			_ = flow.Close()
		}
	}
	r.triggerNow(err.Error())
}

// registeredAfterLoss notes a REGISTER answered at once after a
// keep-alive went unanswered: the path works, the server ignores OPTIONS.
// A few in a row turn the pings off, so such a server does not make the
// line flap; a dead path is then found at the next REGISTER refresh.
func (r *registrar) registeredAfterLoss() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pingLostAt.IsZero() {
		return
	}
	quick := time.Since(r.pingLostAt) < keepAliveTimeout
	r.pingLostAt = time.Time{}
	if !quick {
		r.pingsIgnored = 0
		return
	}
	r.pingsIgnored++
	if r.pingsIgnored >= pingsIgnoredMax && !r.pingsOff {
		r.pingsOff = true
		r.ua.log.Warn("the sip server answers REGISTER but not OPTIONS keep-alives; keep-alives are off for this line",
			"server", r.ua.cfg.Server)
	}
}

// verified records an answered keep-alive: the line could take a call now.
func (r *registrar) verified() {
	ua := r.ua
	ua.mu.Lock()
	if ua.state.Status == RegRegistered {
		ua.state.Verified = time.Now()
	}
	ua.mu.Unlock()
}

// ping sends one out-of-dialog OPTIONS to the server.
func (r *registrar) ping(ctx context.Context) error {
	ua := r.ua
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: ua.cfg.Domain})
	ua.applyLocal(req)
	req.SetDestination(ua.serverDestination())
	cid := sip.CallIDHeader(randomToken(24))
	maxf := sip.MaxForwardsHeader(70)
	req.AppendHeader(ua.fromHeader(randomToken(12)))
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: ua.cfg.Domain}, Params: sip.NewParams()})
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	req.AppendHeader(&maxf)
	req.AppendHeader(sip.NewHeader("User-Agent", ua.cfg.UserAgent))
	req.SetBody(nil)
	addVia(ua, req)
	// Not tied to the period: a short period must not turn a slow answer
	// into a lost line. 5 s leaves UDP four retransmissions (RFC 3261
	// §17.1.2.2, T1 = 500 ms).
	tctx, cancel := context.WithTimeout(ctx, keepAliveTimeout)
	defer cancel()
	tx, err := ua.client.TransactionRequest(tctx, req, noBuild)
	if err != nil {
		return err
	}
	defer tx.Terminate()
	_, err = waitFinal(tctx, tx, nil)
	return err // any response proves the flow works
}

// addVia prepends a Via with a fresh branch and rport (RFC 3581).
func addVia(ua *UA, req *sip.Request) {
	via := &sip.ViaHeader{
		ProtocolName: "SIP", ProtocolVersion: "2.0",
		Transport: ua.cfg.sipTransport(),
		Host:      ua.viaHost,
		Params:    sip.NewParams(),
	}
	if ua.udpConn != nil {
		via.Port = ua.udpConn.LocalAddr().(*net.UDPAddr).Port
	} else if ua.listener != nil {
		// RFC 3261 §18.2.2: should the connection drop, the response goes
		// to the sent-by port: our listener.
		via.Port = ua.listenPort
	}
	via.Params.Add("branch", sip.GenerateBranchN(16))
	via.Params.Add("rport", "")
	req.PrependHeader(via)
}

// grantedExpiry reads the expiry the registrar granted for our Contact
// (Contact ;expires, then Expires header, RFC 3261 §10.2.4).
func grantedExpiry(res *sip.Response, ours sip.ContactHeader, requested time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		var c *sip.ContactHeader
		if ch, ok := h.(*sip.ContactHeader); ok {
			c = ch
		} else {
			continue
		}
		if c.Address.User != ours.Address.User || !strings.EqualFold(c.Address.Host, ours.Address.Host) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return requested
}

// fixContact adopts Via received/rport from a REGISTER 2xx (RFC 3581 §4)
// when they differ from our Contact, as pjsip and Linphone do behind NAT.
// WebSocket Contacts stay .invalid (the server routes over the flow).
func (r *registrar) fixContact(res *sip.Response) bool {
	ua := r.ua
	if ua.cfg.isWebSocket() {
		return false
	}
	via := res.Via()
	if via == nil {
		return false
	}
	c := ua.Contact()
	host, port := c.Address.Host, c.Address.Port
	if v, ok := via.Params.Get("received"); ok && net.ParseIP(v) != nil {
		host = v
	}
	if ua.listener != nil && host == c.Address.Host {
		// tcp/tls with our own listener and no NAT in the way: the rport is
		// only the outgoing connection's ephemeral port; the listener in
		// the Contact is reachable and outlives the connection.
		return false
	}
	if v, ok := via.Params.Get("rport"); ok && v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 65536 {
			port = n
		}
	}
	if host == c.Address.Host && port == c.Address.Port {
		return false
	}
	ua.log.Info("contact fixed from Via", "host", host, "port", port)
	c.Address.Host, c.Address.Port = host, port
	ua.setContact(c)
	return true
}

// applyDigest answers a 401/407 challenge on req (RFC 3261 §22.2, §22.3).
// It reports whether the challenge said stale=true.
func applyDigest(req *sip.Request, res *sip.Response, user, pass string) (bool, error) {
	chName, authName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		chName, authName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	h := res.GetHeader(chName)
	if h == nil {
		return false, fmt.Errorf("%d without %s header", res.StatusCode, chName)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		return false, fmt.Errorf("unreadable challenge: %w", err)
	}
	chal.Algorithm = strings.ToUpper(chal.Algorithm)
	method := "INVITE"
	if c := req.CSeq(); c != nil {
		method = string(c.MethodName)
	}
	cred, err := digest.Digest(chal, digest.Options{
		Method: method, URI: req.Recipient.Addr(), Username: user, Password: pass,
	})
	if err != nil {
		return false, fmt.Errorf("cannot answer challenge: %w", err)
	}
	req.RemoveHeader(authName)
	req.AppendHeader(sip.NewHeader(authName, cred.String()))
	return chal.Stale, nil
}
