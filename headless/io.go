package headless

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"
)

// errQuit is the cancellation cause of a "quit" command: a clean end.
var errQuit = errors.New("quit requested")

var errLineTooLong = errors.New("the line is too long")

// lineWriter owns out: one goroutine writes whole lines, so events and
// replies coming from different goroutines never interleave.
type lineWriter struct {
	lines chan []byte
	done  chan struct{}
}

// newLineWriter starts the writing goroutine. On a write error it reports the
// error through fail and then discards further lines, so nobody blocks on a
// dead output.
func newLineWriter(out io.Writer, fail context.CancelCauseFunc) *lineWriter {
	w := &lineWriter{lines: make(chan []byte), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		failed := false
		for line := range w.lines {
			if failed {
				continue
			}
			if _, err := out.Write(line); err != nil {
				failed = true
				fail(errors.Join(errors.New("cannot write to the output"), err))
			}
		}
	}()
	return w
}

// write queues v as one JSON line. It reports false when ctx ended first.
func (w *lineWriter) write(ctx context.Context, v any) bool {
	line, err := json.Marshal(v)
	if err != nil {
		// Only a bug can make our own reply or event types unmarshalable;
		// say so on the wire rather than dropping the line silently.
		line, _ = json.Marshal(reply{Event: "error", Error: "internal error: " + err.Error()})
	}
	line = append(line, '\n')
	select {
	case w.lines <- line:
		return true
	case <-ctx.Done():
		return false
	}
}

// writeFinal queues v even after ctx ended; used for the reply that ends the
// session, which must not be lost.
func (w *lineWriter) writeFinal(v any) {
	w.write(context.Background(), v)
}

// close flushes what is queued and waits until it is written.
func (w *lineWriter) close() {
	close(w.lines)
	<-w.done
}

// inputLine is one line of input, or the reason it could not be read.
type inputLine struct {
	data []byte
	err  error // errLineTooLong, or the read error that ended input
}

// readLines reads in line by line on a goroutine of its own and delivers the
// lines until EOF, a read error or the end of ctx. The channel is closed
// after EOF.
func readLines(ctx context.Context, in io.Reader, maxBytes int) <-chan inputLine {
	out := make(chan inputLine)
	if d, ok := in.(interface{ SetReadDeadline(time.Time) error }); ok {
		// Wakes a Read blocked on a pipe or socket when Run is cancelled.
		context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Now()) })
	}
	go func() {
		defer close(out)
		r := bufio.NewReader(in)
		for {
			data, err := readLine(r, maxBytes)
			l := inputLine{data: data}
			switch {
			case errors.Is(err, errLineTooLong):
				l.err = err
			case errors.Is(err, io.EOF):
				if len(data) == 0 {
					return
				}
			case err != nil:
				l.err = err
			}
			select {
			case out <- l:
			case <-ctx.Done():
				return
			}
			if err != nil && !errors.Is(err, errLineTooLong) {
				return
			}
		}
	}()
	return out
}

// readLine returns the next line without its line ending. A line longer than
// maxBytes is skipped up to its end and reported as errLineTooLong.
func readLine(r *bufio.Reader, maxBytes int) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxBytes+2 { // +2: room for "\r\n"
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			if err == nil {
				return nil, errLineTooLong
			}
			return nil, errors.Join(errLineTooLong, err)
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}
