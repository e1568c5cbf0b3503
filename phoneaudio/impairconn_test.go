package phoneaudio_test

import (
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// impairedConn is a real UDP socket whose receive side is a user-space
// impairment relay, the stand-in for netem that this kernel lacks
// . Give it to pion's ICE with webrtc.NewICEUDPMux: every
// packet the peer sends to this socket then passes through the relay.
//
// While impairment is on, each RTP/RTCP packet (first byte 128..191, RFC 7983
// §7) is dropped with probability loss, or else held for a uniformly random
// 0..maxDelay before ReadFrom returns it. Every packet has its own delay, so
// packets overtake each other (reordering). STUN and DTLS are never impaired:
// ICE consent checks and the DTLS handshake stay intact, as on a network
// whose loss hits media only. The decisions come from a seeded PRNG, so the
// same packet sequence gets the same drops and delays.
//
// It does not embed *net.UDPConn on purpose: pion would then use the
// promoted ReadFromAddrPort and bypass the relay.
type impairedConn struct {
	conn     *net.UDPConn
	loss     float64
	maxDelay time.Duration

	on      atomic.Bool
	mu      sync.Mutex // guards rng
	rng     *rand.Rand
	in      chan datagram
	done    chan struct{}
	closeMu sync.Once
	err     error // read error of the relay, set before done is closed

	deadlineMu sync.Mutex
	deadline   time.Time

	// Counters of RTP/RTCP packets while impaired.
	dropped, delayed atomic.Uint64
}

type datagram struct {
	b    []byte
	from *net.UDPAddr
}

// listenImpaired opens a UDP socket on 127.0.0.1 with impairment off.
func listenImpaired(t testing.TB, loss float64, maxDelay time.Duration, seed uint64) *impairedConn {
	t.Helper()
	uc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c := &impairedConn{
		conn:     uc,
		loss:     loss,
		maxDelay: maxDelay,
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		in:       make(chan datagram, 4096),
		done:     make(chan struct{}),
	}
	go c.relay()
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// setImpaired switches the impairment on or off; packets already held are
// still delivered at their time.
func (c *impairedConn) setImpaired(on bool) { c.on.Store(on) }

func (c *impairedConn) relay() {
	for {
		buf := make([]byte, 1500)
		n, from, err := c.conn.ReadFromUDP(buf)
		if err != nil {
			c.closeWith(err)
			return
		}
		d := datagram{b: buf[:n], from: from}
		if n == 0 || buf[0] < 128 || buf[0] > 191 || !c.on.Load() {
			c.deliver(d)
			continue
		}
		c.mu.Lock()
		drop := c.rng.Float64() < c.loss
		delay := time.Duration(c.rng.Int64N(int64(c.maxDelay) + 1))
		c.mu.Unlock()
		if drop {
			c.dropped.Add(1)
			continue
		}
		c.delayed.Add(1)
		time.AfterFunc(delay, func() { c.deliver(d) })
	}
}

func (c *impairedConn) deliver(d datagram) {
	select {
	case c.in <- d:
	case <-c.done:
	default: // the reader is gone or far behind: a full socket buffer drops
	}
}

// ReadFrom implements net.PacketConn.
func (c *impairedConn) ReadFrom(b []byte) (int, net.Addr, error) {
	c.deadlineMu.Lock()
	dl := c.deadline
	c.deadlineMu.Unlock()
	var timeout <-chan time.Time
	if !dl.IsZero() {
		tm := time.NewTimer(time.Until(dl))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case d := <-c.in:
		return copy(b, d.b), d.from, nil
	case <-c.done:
		if c.err != nil {
			return 0, nil, c.err
		}
		return 0, nil, net.ErrClosed
	case <-timeout:
		return 0, nil, os.ErrDeadlineExceeded
	}
}

// WriteTo implements net.PacketConn (sending is not impaired).
func (c *impairedConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	return c.conn.WriteTo(b, addr)
}

// Close implements net.PacketConn.
func (c *impairedConn) Close() error { return c.closeWith(nil) }

// closeWith closes the socket; readErr (the relay's read error, if it ended
// first) is what ReadFrom then returns.
func (c *impairedConn) closeWith(readErr error) error {
	var err error
	c.closeMu.Do(func() {
		c.err = readErr
		err = c.conn.Close()
		close(c.done)
	})
	return err
}

func (c *impairedConn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

func (c *impairedConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.conn.SetWriteDeadline(t)
}

func (c *impairedConn) SetReadDeadline(t time.Time) error {
	c.deadlineMu.Lock()
	c.deadline = t
	c.deadlineMu.Unlock()
	return nil
}

func (c *impairedConn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// The relay on its own: loss and delay hit only RTP/RTCP, only while on.
func TestImpairedConn(t *testing.T) {
	c := listenImpaired(t, 0.05, 60*time.Millisecond, 1)
	tx, err := net.DialUDP("udp4", nil, c.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	recv := func(n int) (got int, order []byte) {
		buf := make([]byte, 1500)
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		for got < n {
			_, _, err := c.ReadFrom(buf)
			if err != nil {
				break
			}
			got++
			if buf[0] == 0x80 {
				order = append(order, buf[1])
			}
		}
		return got, order
	}
	// STUN-like (first byte 0) and RTP (0x80) pass untouched while off.
	for i := range 100 {
		if _, err := tx.Write([]byte{0x80, byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := recv(100); got != 100 {
		t.Fatalf("impairment off: %d of 100 packets arrived", got)
	}
	c.setImpaired(true)
	const n = 1000
	for i := range n {
		_, _ = tx.Write([]byte{0x80, byte(i)})
		_, _ = tx.Write([]byte{0x00, byte(i)}) // STUN: never dropped
		time.Sleep(100 * time.Microsecond)
	}
	got, order := recv(2 * n)
	dropped := c.dropped.Load()
	t.Logf("impaired: %d of %d received, %d RTP dropped", got, 2*n, dropped)
	if dropped < n*2/100 || dropped > n*10/100 {
		t.Errorf("dropped %d of %d RTP packets, want about 5 %%", dropped, n)
	}
	if got != 2*n-int(dropped) {
		t.Errorf("received %d, want %d (only dropped RTP missing)", got, 2*n-int(dropped))
	}
	reordered := 0
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] && order[i-1]-order[i] < 128 {
			reordered++
		}
	}
	if reordered == 0 {
		t.Error("no packet overtook another under 0..60 ms of random delay")
	}
}
