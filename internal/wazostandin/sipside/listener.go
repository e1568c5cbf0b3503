package sipside

import (
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// replayConn is a hijacked connection whose first bytes are the HTTP
// upgrade request net/http already consumed.
type replayConn struct {
	net.Conn
	r       io.Reader
	once    sync.Once
	onClose func()
}

func (c *replayConn) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if err != nil && c.onClose != nil {
		c.once.Do(c.onClose)
	}
	return n, err
}

// sipListener is the net.Listener sipgo's WSS transport serves: it yields
// the connections HandleWS hijacked.
type sipListener struct {
	addr  func() net.Addr
	conns chan net.Conn

	once sync.Once
	done chan struct{}
}

func newSIPListener(addr func() net.Addr) *sipListener {
	return &sipListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands a connection to the accept loop; false once closed.
func (l *sipListener) push(c net.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	case <-ctx.Done():
		return false
	}
}

// Accept implements net.Listener.
func (l *sipListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *sipListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener: the stack's HTTPS address (sipgo uses its
// port for Via/Contact).
func (l *sipListener) Addr() net.Addr { return l.addr() }
