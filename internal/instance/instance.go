// Package instance hands a clicked link to the Parley that is already
// running, so a second click does not start a second phone registering the
// same line. The first GUI instance listens on a Unix socket in a directory
// only its user can open (Windows 10 and later support AF_UNIX too); a
// later launch with a link connects, sends it and exits.
//
// The socket carries only links, one per line, and the receiver checks each
// with dialurl like any other link: it is not a control API.
package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxLink bounds one line on the socket; real links are far shorter.
const maxLink = 4096

// DefaultPath is the socket's place: $XDG_RUNTIME_DIR/parley/instance.sock
// where there is one, else a per-user directory under the user's cache
// directory or the temporary directory.
func DefaultPath(getenv func(string) string) string {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "parley", "instance.sock")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "parley", "instance.sock")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("parley-%d", os.Getuid()), "instance.sock")
}

// Forward offers link to a running instance. It reports false, with no
// error, when none is listening, and the caller starts normally.
func Forward(path, link string) (bool, error) {
	if strings.ContainsAny(link, "\r\n") || len(link) > maxLink {
		return false, errors.New("instance: link is not a single short line")
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false, nil
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(c, "%s\n", link); err != nil {
		return false, fmt.Errorf("instance: handing the link over: %w", err)
	}
	// The acknowledgement says the other side read it; without it the
	// link might be lost with an instance that was just quitting.
	ack, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || ack != "ok\n" {
		return false, nil
	}
	return true, nil
}

// Listen accepts links from later launches until ctx ends, and removes the
// socket then. It fails if another instance is listening.
func Listen(ctx context.Context, path string) (<-chan string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		// A socket file left by an instance that crashed: nobody answers
		// on it, so it is safe to replace.
		if c, derr := net.DialTimeout("unix", path, time.Second); derr == nil {
			c.Close()
			return nil, fmt.Errorf("instance: another Parley is listening on %s", path)
		}
		_ = os.Remove(path)
		if l, err = net.Listen("unix", path); err != nil {
			return nil, fmt.Errorf("instance: %w", err)
		}
	}
	links := make(chan string, 4)
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	go func() {
		defer close(links)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			serve(ctx, c, links)
		}
	}()
	return links, nil
}

func serve(ctx context.Context, c net.Conn, links chan<- string) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(&limited{c, maxLink + 1}).ReadString('\n')
	if err != nil {
		return
	}
	select {
	case links <- strings.TrimSuffix(line, "\n"):
		_, _ = c.Write([]byte("ok\n"))
	case <-ctx.Done():
	}
}

// limited stops reading after n bytes, so a client cannot make the
// instance buffer without end.
type limited struct {
	c net.Conn
	n int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("instance: line too long")
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= n
	return n, err
}
