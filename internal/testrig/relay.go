package testrig

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// The kernel on the test machines has no netem (docs/testing.md), so the
// faults a network inflicts on a long-lived connection are made in user
// space: a relay between Parley and its server that can stop forwarding
// without closing anything (a black hole, the half-open connection a dead
// NAT binding or a pulled cable leaves) or reset every connection at once.

// gate is open (traffic flows) or shut (traffic is held where it is).
type gate struct {
	mu     sync.Mutex
	open   chan struct{} // closed while the gate is open
	closed chan struct{} // closed when the relay stops
}

func newGate() *gate {
	g := &gate{open: make(chan struct{}), closed: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) set(open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		if !open {
			g.open = make(chan struct{})
		}
	default:
		if open {
			close(g.open)
		}
	}
}

// wait blocks while the gate is shut; false once the relay stops.
func (g *gate) wait() bool {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	select {
	case <-ch:
		return true
	case <-g.closed:
		return false
	}
}

// TCPRelay forwards TCP connections from Addr to a target. BlackHole stops
// every byte in both directions without closing a connection: neither end
// hears anything until Restore, exactly what a silently dropped path looks
// like from both ends. Reset closes every current connection with a TCP
// reset. It stops at the test's Cleanup.
type TCPRelay struct {
	Addr string

	target string
	ln     net.Listener
	gate   *gate

	mu       sync.Mutex
	pairs    map[*tcpPair]struct{}
	accepted int
	wg       sync.WaitGroup
}

// tcpPair is one relayed connection: the client's side, the server's side
// and a gate of its own, so one flow can fail while the others go on.
type tcpPair struct {
	down, up *net.TCPConn
	gate     *gate
}

func (p *tcpPair) reset() {
	for _, c := range []*net.TCPConn{p.down, p.up} {
		_ = c.SetLinger(0)
		_ = c.Close()
	}
}

// StartTCPRelay listens on a free loopback port and relays to target.
func StartTCPRelay(t testing.TB, target string) *TCPRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("tcp relay: %v", err)
	}
	r := &TCPRelay{Addr: ln.Addr().String(), target: target, ln: ln, gate: newGate(), pairs: map[*tcpPair]struct{}{}}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

// BlackHole holds all traffic, on current and new connections, until Restore.
func (r *TCPRelay) BlackHole() { r.gate.set(false) }

// Restore lets traffic flow again (held bytes are delivered: nothing is lost
// inside the relay, as TCP would retransmit through a path that came back).
func (r *TCPRelay) Restore() { r.gate.set(true) }

// Reset closes every current connection with a TCP RST (SO_LINGER 0) on
// both sides; new connections are relayed as usual.
func (r *TCPRelay) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.pairs {
		p.reset()
	}
}

// find returns the relayed connection whose server side has the local
// address serverSeen (what the server sees as the client's address, e.g.
// the stand-in's WebsocketInfo.RemoteAddr).
func (r *TCPRelay) find(serverSeen string) *tcpPair {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.pairs {
		if p.up.LocalAddr().String() == serverSeen {
			return p
		}
	}
	return nil
}

// BlackHoleCurrent holds the traffic of every connection open now, for
// good, while new connections are relayed as usual: what a NAT that lost
// its bindings, or a path that changed, does to long-lived flows.
func (r *TCPRelay) BlackHoleCurrent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.pairs {
		p.gate.set(false)
	}
	return len(r.pairs)
}

// BlackHoleConn holds the traffic of the one connection the server sees
// coming from serverSeen, for good; false if there is none.
func (r *TCPRelay) BlackHoleConn(serverSeen string) bool {
	p := r.find(serverSeen)
	if p != nil {
		p.gate.set(false)
	}
	return p != nil
}

// ResetConn resets the one connection the server sees coming from
// serverSeen; false if there is none.
func (r *TCPRelay) ResetConn(serverSeen string) bool {
	p := r.find(serverSeen)
	if p != nil {
		r.mu.Lock()
		p.reset()
		r.mu.Unlock()
	}
	return p != nil
}

// Accepted counts the connections accepted so far.
func (r *TCPRelay) Accepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepted
}

func (r *TCPRelay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go r.serve(c.(*net.TCPConn))
	}
}

func (r *TCPRelay) track(p *tcpPair) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.gate.closed:
		return false
	default:
	}
	r.pairs[p] = struct{}{}
	return true
}

func (r *TCPRelay) untrack(p *tcpPair) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.pairs, p)
	_ = p.down.Close()
	_ = p.up.Close()
}

func (r *TCPRelay) serve(down *net.TCPConn) {
	defer r.wg.Done()
	r.mu.Lock()
	r.accepted++
	r.mu.Unlock()
	if !r.gate.wait() { // a black hole swallows new connections' bytes too
		_ = down.Close()
		return
	}
	uc, err := net.Dial("tcp", r.target)
	if err != nil {
		_ = down.SetLinger(0)
		_ = down.Close()
		return
	}
	up := uc.(*net.TCPConn)
	own := newGate()
	own.closed = r.gate.closed
	p := &tcpPair{down: down, up: up, gate: own}
	if !r.track(p) {
		_ = down.Close()
		_ = up.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src *net.TCPConn) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if !r.gate.wait() || !own.wait() {
					break
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					_ = dst.CloseWrite()
					return
				}
				break
			}
		}
		// An error on one side ends both (a reset travels on).
		_ = dst.SetLinger(0)
		_ = dst.Close()
		_ = src.Close()
	}
	go pipe(up, down)
	go pipe(down, up)
	wg.Wait()
	r.untrack(p)
}

func (r *TCPRelay) close() {
	r.mu.Lock()
	close(r.gate.closed)
	for p := range r.pairs {
		_ = p.down.Close()
		_ = p.up.Close()
	}
	r.mu.Unlock()
	_ = r.ln.Close()
	r.wg.Wait()
}

// UDPRelay forwards datagrams between clients and a target, one upstream
// socket per client address (as a NAT does, so the target sees the relay's
// port as the client's address and answers there). Drop discards every
// datagram both ways until Restore. It stops at the test's Cleanup.
type UDPRelay struct {
	Addr string

	target *net.UDPAddr
	pc     *net.UDPConn
	gate   *gate

	mu      sync.Mutex
	dropped int
	peers   map[string]*net.UDPConn
	wg      sync.WaitGroup
}

// StartUDPRelay listens on a free loopback port and relays to target.
func StartUDPRelay(t testing.TB, target string) *UDPRelay {
	t.Helper()
	ta, err := net.ResolveUDPAddr("udp", target)
	if err != nil {
		t.Fatalf("udp relay: %v", err)
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("udp relay: %v", err)
	}
	r := &UDPRelay{Addr: pc.LocalAddr().String(), target: ta, pc: pc, gate: newGate(), peers: map[string]*net.UDPConn{}}
	r.wg.Add(1)
	go r.down()
	t.Cleanup(r.close)
	return r
}

// Drop discards all datagrams, both ways, until Restore.
func (r *UDPRelay) Drop() { r.gate.set(false) }

// Restore forwards datagrams again.
func (r *UDPRelay) Restore() { r.gate.set(true) }

// Dropped counts the datagrams discarded so far.
func (r *UDPRelay) Dropped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// forwarding reports whether the gate is open now, counting a drop if not.
func (r *UDPRelay) forwarding() bool {
	r.gate.mu.Lock()
	ch := r.gate.open
	r.gate.mu.Unlock()
	select {
	case <-ch:
		return true
	default:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
		return false
	}
}

func (r *UDPRelay) down() {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := r.pc.ReadFromUDP(buf)
		if err != nil {
			return
		}
		up := r.peer(from)
		if up == nil || !r.forwarding() {
			continue
		}
		_, _ = up.Write(buf[:n])
	}
}

// peer returns the upstream socket of client from, opening it on first use.
func (r *UDPRelay) peer(from *net.UDPAddr) *net.UDPConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	if up, ok := r.peers[from.String()]; ok {
		return up
	}
	select {
	case <-r.gate.closed:
		return nil
	default:
	}
	up, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, r.target)
	if err != nil {
		return nil
	}
	r.peers[from.String()] = up
	r.wg.Add(1)
	go r.up(up, from)
	return up
}

func (r *UDPRelay) up(up *net.UDPConn, client *net.UDPAddr) {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, err := up.Read(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // ICMP port unreachable while the target is down
		}
		if !r.forwarding() {
			continue
		}
		_, _ = r.pc.WriteToUDP(buf[:n], client)
	}
}

func (r *UDPRelay) close() {
	r.mu.Lock()
	close(r.gate.closed)
	for _, up := range r.peers {
		_ = up.Close()
	}
	r.mu.Unlock()
	_ = r.pc.Close()
	r.wg.Wait()
}
