package localapi

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parley-voip/parley/headless"
)

const (
	// protocolName is the websocket subprotocol of the headless protocol.
	protocolName = "parley.v1"
	// bearerProtocol prefixes the token offered as a subprotocol.
	bearerProtocol = "bearer."
	// maxMessage bounds one incoming message: headless mode's line limit
	// plus room for the line ending.
	maxMessage = 64<<10 + 2
	// writeWait bounds one outgoing message. A client that stops reading
	// for this long is cut off, rather than have its events pile up in
	// memory for the rest of the shift.
	writeWait = 30 * time.Second
)

// serveWebsocket runs the headless protocol over one websocket, for as long
// as the client keeps it open (or until it sends "quit", or Close).
func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	full := s.sessions >= s.cfg.MaxSessions
	if !full {
		s.sessions++
	}
	s.mu.Unlock()
	if full {
		s.refuse(w, r, http.StatusServiceUnavailable, "too many local API sessions are open")
		return
	}
	defer func() {
		s.mu.Lock()
		s.sessions--
		s.mu.Unlock()
	}()
	if !s.begin() {
		http.Error(w, "Parley is closing", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()

	up := websocket.Upgrader{
		// guard has checked Origin already, against a stricter rule than
		// gorilla's same-host default.
		CheckOrigin: func(*http.Request) bool { return true },
		// Chosen when the client offers it (browsers must, to send the
		// token as a subprotocol); never the token's own entry.
		Subprotocols: []string{protocolName},
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	defer conn.Close()
	conn.SetReadLimit(maxMessage)

	// Commands: each text message is one or more command lines, fed to Run
	// through a pipe; the client closing the socket is Run's end of input.
	in, feed := io.Pipe()
	var reader sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		for {
			kind, msg, err := conn.ReadMessage()
			if err != nil {
				feed.Close()
				return
			}
			if kind != websocket.TextMessage {
				continue
			}
			if _, err := feed.Write(append(msg, '\n')); err != nil {
				return // Run is over
			}
		}
	}()

	out := &messageWriter{conn: conn}
	err = headless.Run(s.ctx, s.api, in, out, s.cfg.Headless...)
	code, text := websocket.CloseNormalClosure, ""
	switch {
	case s.ctx.Err() != nil:
		code, text = websocket.CloseGoingAway, "Parley is closing"
	case err != nil:
		code, text = websocket.CloseInternalServerErr, "the session failed"
	}
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	in.Close() // wakes Run's reader goroutine, if still blocked on the pipe
	conn.Close()
	reader.Wait()
}

// messageWriter turns Run's output lines into one text message each.
// headless writes whole lines from a single goroutine; partial writes are
// buffered anyway, so a line is never split across messages.
type messageWriter struct {
	conn *websocket.Conn
	buf  []byte
}

func (m *messageWriter) Write(p []byte) (int, error) {
	m.buf = append(m.buf, p...)
	for {
		i := bytes.IndexByte(m.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		_ = m.conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := m.conn.WriteMessage(websocket.TextMessage, m.buf[:i]); err != nil {
			return 0, err
		}
		m.buf = m.buf[i+1:]
	}
}
