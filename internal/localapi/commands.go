package localapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/parley-voip/parley/headless"
)

// serveCommand runs one headless command and answers with its reply line:
// 200 when the reply says "ok": true, 422 when the command failed (the reply
// says why), 400 when the body is not one JSON object.
//
// It runs a headless.Run of its own over the single line, so the command
// set is exactly headless mode's; the events the command caused go to the
// websocket sessions, not here.
func (s *Server) serveCommand(w http.ResponseWriter, r *http.Request) {
	if !s.begin() {
		http.Error(w, "Parley is closing", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMessage))
	if err != nil {
		http.Error(w, "the command is longer than 64 KiB", http.StatusRequestEntityTooLarge)
		return
	}
	// One object, possibly pretty-printed: compacted to the single line
	// headless reads. Compact refuses a second value after the first.
	var line bytes.Buffer
	if err := json.Compact(&line, bytes.TrimSpace(body)); err != nil || !bytes.HasPrefix(line.Bytes(), []byte("{")) {
		http.Error(w, "the body must be one JSON command object, as in headless mode (docs/headless.md)", http.StatusBadRequest)
		return
	}
	line.WriteByte('\n')

	var out bytes.Buffer
	if err := headless.Run(r.Context(), s.api, &line, &out, s.cfg.Headless...); err != nil {
		http.Error(w, "the command was interrupted: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	reply, ok := findReply(&out)
	if reply == nil {
		http.Error(w, "the command got no reply", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if ok {
		w.WriteHeader(http.StatusOK)
	} else {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	_, _ = w.Write(append(reply, '\n'))
}

// findReply picks the reply line out of Run's output (the ready line and any
// events come with it).
func findReply(out io.Reader) (line []byte, ok bool) {
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var head struct {
			Event string `json:"event"`
			OK    bool   `json:"ok"`
		}
		if json.Unmarshal(sc.Bytes(), &head) == nil && strings.EqualFold(head.Event, "response") {
			return bytes.Clone(sc.Bytes()), head.OK
		}
	}
	return nil, false
}
