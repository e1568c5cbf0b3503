package testrig

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// baresipModules is where Debian's baresip-core installs its modules.
const baresipModules = "/usr/lib/baresip/modules"

// BaresipOptions configures one baresip user agent.
type BaresipOptions struct {
	User string // SIP user name; default "bob"
	// Registrar is "" for a direct account (no registration; others call
	// URI()), or host:port of a registrar (e.g. Kamailio.UDPAddr): the
	// account's AOR becomes sip:User@host:port and StartBaresip waits until
	// the registration succeeded.
	Registrar string
	// WebRTC selects the WebRTC media profile (docs/testing.md):
	// mediaenc=dtls_srtp, medianat=ice, rtcp_mux, Opus first.
	WebRTC bool
	// AutoAnswer answers incoming calls at once (answermode=auto). Note:
	// baresip then sends no CALL_INCOMING event, only CALL_ESTABLISHED.
	// Without it, answer with Command(ctx, "accept", "") after CALL_INCOMING.
	AutoAnswer bool
	// EarlyAnswer answers incoming calls with 183 Session Progress and SDP
	// (answermode=early) and starts media before any 200: early media
	// (RFC 3960). The "accept" command then sends the 200.
	EarlyAnswer bool
	// SourceWAV is the audio sent in calls (aufile module; a 16-bit PCM
	// WAV, any rate and channel count; it is sent once, then silence).
	// "" sends a 440 Hz tone (ausine). NullSource sends nothing (silence).
	SourceWAV string
	// NullSource sends silence instead of the tone when SourceWAV is "".
	NullSource bool
	// Player is the audio_player device ("module,device"). "" keeps the
	// default, ALSA's null PCM ("alsa,null"), which has no clock: a baresip
	// thread spins on it (about a core per process in a call), fine for
	// functional tests, useless for measuring CPU. PlayerBridge plays into
	// the aubridge module instead (loaded automatically for any
	// "aubridge,..." player): with no aubridge source of the same name, no
	// thread pulls from it, so received audio is decoded and then dropped
	// without any busy loop; the sources (ausine, aufile) are clocked.
	Player string
	// RecordWAV, if set, receives the decoded incoming audio of the last
	// call: the sndfile module records every call into the instance's
	// directory and SaveRecording copies the newest one here.
	RecordWAV string
	// AccountParams are appended to the account line (e.g. ";auth_pass=x").
	AccountParams string
	// ExtraConfig lines are appended to the config file.
	ExtraConfig []string
	// SIPTrace logs all SIP messages (baresip -s) into the log.
	SIPTrace bool
	// Codecs are the codec modules to load, the first preferred (e.g.
	// "g722.so"). Empty: g711.so and opus.so, Opus first with WebRTC.
	Codecs []string
}

// PlayerBridge is a BaresipOptions.Player that decodes received audio and
// drops it without a spinning audio thread (see Player).
const PlayerBridge = "aubridge,parley-sink"

// BaresipEvent is one event from baresip's ctrl_tcp socket.
type BaresipEvent struct {
	Type       string         `json:"type"`  // CALL_INCOMING, CALL_ESTABLISHED, REGISTER_OK, ...
	Class      string         `json:"class"` // call, register, ...
	AccountAOR string         `json:"accountaor"`
	Direction  string         `json:"direction"` // incoming / outgoing (call events)
	PeerURI    string         `json:"peeruri"`
	ID         string         `json:"id"` // call id
	Param      string         `json:"param"`
	Raw        map[string]any `json:"-"` // all fields as sent
	// Synthetic marks a REGISTER_OK that testrig added because the real
	// one came before its control connection was up.
	Synthetic bool `json:"-"`
	// Received is when the event arrived on the control connection (for
	// timing, e.g. from CALL_DTMF_START to CALL_DTMF_END).
	Received time.Time `json:"-"`
}

// Baresip is a running baresip with a connected ctrl_tcp client.
type Baresip struct {
	uri, aor string
	dir      string
	sndDir   string
	opts     BaresipOptions
	proc     *proc
	conn     net.Conn
	readDone chan struct{} // closed when the reader goroutine has ended

	mu       sync.Mutex
	token    int
	pending  map[string]chan ctrlMsg
	events   []BaresipEvent
	consumed []bool
	notify   chan struct{} // closed and replaced whenever an event arrives or the connection ends
	readErr  error
}

type ctrlMsg struct {
	Response bool   `json:"response"`
	Event    bool   `json:"event"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
}

// StartBaresip starts baresip with its own config directory, free SIP, RTP
// and control ports, and connects to its ctrl_tcp socket. It is stopped at
// Cleanup; its log is printed if the test fails.
func StartBaresip(t testing.TB, o BaresipOptions) *Baresip {
	t.Helper()
	bin := mustBin(t, "baresip")
	if _, err := os.Stat(filepath.Join(baresipModules, "ctrl_tcp.so")); err != nil {
		Require(t, baresipModules+"/ctrl_tcp.so") // skip or fail with the usual message
	}
	if o.User == "" {
		o.User = "bob"
	}
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		b, err := startBaresip(t, bin, o)
		if err == nil {
			return b
		}
		lastErr = err
		if !strings.Contains(err.Error(), "in use") {
			break
		}
		t.Logf("baresip attempt %d: %v; retrying with other ports", attempt, err)
	}
	t.Fatalf("start baresip: %v", lastErr)
	return nil
}

func startBaresip(t testing.TB, bin string, o BaresipOptions) (*Baresip, error) {
	t.Helper()
	dir := t.TempDir()
	sndDir := filepath.Join(dir, "recordings")
	if err := os.Mkdir(sndDir, 0o755); err != nil {
		return nil, err
	}
	sipPort, err := freePortBoth()
	if err != nil {
		return nil, err
	}
	ctrlPort, err := freePort("tcp")
	if err != nil {
		return nil, err
	}
	rtpFirst := FreePortRange(t, 40)

	source := "ausine,440"
	// ausine only produces 48 kHz stereo; baresip resamples for the codec.
	srcRate, srcChannels := 48000, 2
	switch {
	case o.SourceWAV != "":
		abs, err := filepath.Abs(o.SourceWAV)
		if err != nil {
			return nil, err
		}
		// aufile refuses a file whose format differs from ausrc_srate and
		// ausrc_channels (and then fails the call), so take them from the file.
		w, err := ReadWAV(abs)
		if err != nil {
			return nil, fmt.Errorf("SourceWAV: %w", err)
		}
		srcRate, srcChannels = w.Rate, w.Channels
		source = "aufile," + abs
	case o.NullSource:
		source = "alsa,null"
	}
	player := "alsa,null" // ALSA's built-in null PCM: no card or sound server
	if o.Player != "" {
		player = o.Player
	}
	modules := []string{"account.so", "menu.so", "ctrl_tcp.so", "alsa.so", "ausine.so", "aufile.so"}
	codecs := []string{"g711.so", "opus.so"}
	if o.WebRTC {
		codecs = []string{"opus.so", "g711.so"} // the first loaded codec is preferred
		modules = append(modules, "ice.so", "dtls_srtp.so")
	}
	if len(o.Codecs) > 0 {
		codecs = o.Codecs
	}
	if o.RecordWAV != "" {
		modules = append(modules, "sndfile.so")
	}
	if strings.HasPrefix(player, "aubridge,") {
		modules = append(modules, "aubridge.so")
	}
	cfg := []string{
		"sip_listen " + net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort)),
		"net_interface 127.0.0.1",
		"audio_player " + player,
		"audio_alert alsa,null",
		"audio_source " + source,
		fmt.Sprintf("ausrc_srate %d", srcRate),
		fmt.Sprintf("ausrc_channels %d", srcChannels),
		fmt.Sprintf("rtp_ports %d-%d", rtpFirst, rtpFirst+39),
		"module_path " + baresipModules,
		"ctrl_tcp_listen " + net.JoinHostPort("127.0.0.1", strconv.Itoa(ctrlPort)),
		"snd_path " + sndDir,
		// The menu's per-call status line is rewritten many times a second
		// and would drown the log.
		"statmode_default off",
	}
	if o.WebRTC {
		cfg = append(cfg, "rtcp_mux yes")
	}
	for _, m := range codecs {
		cfg = append(cfg, "module "+m)
	}
	for _, m := range modules {
		switch m {
		case "account.so":
			cfg = append(cfg, "module_tmp "+m)
		case "menu.so":
			cfg = append(cfg, "module_app "+m)
		default:
			cfg = append(cfg, "module "+m)
		}
	}
	cfg = append(cfg, o.ExtraConfig...)

	b := &Baresip{
		uri:     fmt.Sprintf("sip:%s@127.0.0.1:%d", o.User, sipPort),
		dir:     dir,
		sndDir:  sndDir,
		opts:    o,
		pending: map[string]chan ctrlMsg{},
		notify:  make(chan struct{}),
	}
	account := "<" + b.uri + ">;regint=0"
	if o.Registrar != "" {
		b.aor = fmt.Sprintf("sip:%s@%s", o.User, o.Registrar)
		account = "<" + b.aor + ">;regint=60"
	} else {
		b.aor = b.uri
	}
	switch {
	case o.EarlyAnswer:
		account += ";answermode=early"
	case o.AutoAnswer:
		account += ";answermode=auto"
	default:
		account += ";answermode=manual"
	}
	if o.WebRTC {
		account += ";mediaenc=dtls_srtp;medianat=ice"
	}
	account += o.AccountParams
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(strings.Join(cfg, "\n")+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account+"\n"), 0o644); err != nil {
		return nil, err
	}
	args := []string{"-f", dir}
	if o.SIPTrace {
		args = append(args, "-s")
	}
	p, err := startProc(t, "baresip-"+o.User, dir, bin, args, nil)
	if err != nil {
		return nil, err
	}
	b.proc = p
	ctrlAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(ctrlPort))
	err = p.waitUntil(10*time.Second, 20*time.Millisecond, func() error {
		c, err := net.DialTimeout("tcp", ctrlAddr, time.Second)
		if err != nil {
			return err
		}
		b.conn = c
		return nil
	})
	if err != nil {
		p.stop(2 * time.Second)
		if strings.Contains(p.log(), "in use") {
			return nil, fmt.Errorf("a port is in use: %w", err)
		}
		return nil, fmt.Errorf("%w\n%s", err, p.logTail(8<<10))
	}
	b.readDone = make(chan struct{})
	go b.readLoop()
	t.Cleanup(func() {
		b.conn.Close()
		<-b.readDone
	})
	if o.Registrar != "" {
		if err := b.waitRegistered(t.Context(), 10*time.Second); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Stop closes the control connection and stops baresip now, for a test
// that starts many in turn (a benchmark's iterations) and must not keep
// them all until Cleanup. Cleanup still runs and finds nothing left to do.
func (b *Baresip) Stop() {
	b.conn.Close()
	<-b.readDone
	b.proc.stop(5 * time.Second)
}

// URI is the instance's direct SIP URI, sip:user@127.0.0.1:port.
func (b *Baresip) URI() string { return b.uri }

// AOR is the account's address of record: sip:user@registrar when
// registered, else the same as URI.
func (b *Baresip) AOR() string { return b.aor }

// Dir is the instance's config directory (config, accounts, log, recordings).
func (b *Baresip) Dir() string { return b.dir }

// Log returns baresip's output so far.
func (b *Baresip) Log() string { return b.proc.log() }

// Command sends one ctrl_tcp command (e.g. "dial" with a URI, "accept",
// "hangup", "reginfo", "listcalls") and returns the response's data. A
// response with ok=false is an error carrying the data.
func (b *Baresip) Command(ctx context.Context, command, params string) (string, error) {
	b.mu.Lock()
	if b.readErr != nil {
		err := b.readErr
		b.mu.Unlock()
		return "", fmt.Errorf("baresip control connection is closed: %w", err)
	}
	b.token++
	token := strconv.Itoa(b.token)
	reply := make(chan ctrlMsg, 1)
	b.pending[token] = reply
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, token)
		b.mu.Unlock()
	}()

	msg, err := json.Marshal(map[string]string{"command": command, "params": params, "token": token})
	if err != nil {
		return "", err
	}
	if d, ok := ctx.Deadline(); ok {
		b.conn.SetWriteDeadline(d)
	}
	if _, err := fmt.Fprintf(b.conn, "%d:%s,", len(msg), msg); err != nil {
		return "", fmt.Errorf("send %q to baresip: %w", command, err)
	}
	select {
	case r, ok := <-reply:
		if !ok {
			return "", fmt.Errorf("baresip closed the control connection before answering %q", command)
		}
		if !r.OK {
			return r.Data, fmt.Errorf("baresip refused %q %q: %s", command, params, strings.TrimSpace(r.Data))
		}
		return r.Data, nil
	case <-ctx.Done():
		return "", fmt.Errorf("baresip did not answer %q: %w", command, ctx.Err())
	}
}

// WaitEvent returns the oldest not yet returned event of eventType (e.g.
// "CALL_ESTABLISHED"), waiting for it if needed. Events are kept from the
// moment of connection, so an event that came before the call is not lost.
func (b *Baresip) WaitEvent(ctx context.Context, eventType string) (BaresipEvent, error) {
	for {
		b.mu.Lock()
		for i, e := range b.events {
			if !b.consumed[i] && e.Type == eventType {
				b.consumed[i] = true
				b.mu.Unlock()
				return e, nil
			}
		}
		notify, readErr := b.notify, b.readErr
		seen := b.eventTypesLocked()
		b.mu.Unlock()
		if readErr != nil {
			return BaresipEvent{}, fmt.Errorf("waiting for %s: baresip control connection ended (%v); events seen: %s", eventType, readErr, seen)
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return BaresipEvent{}, fmt.Errorf("no %s event from baresip %s: %w; events seen: %s", eventType, b.opts.User, ctx.Err(), seen)
		}
	}
}

// Events returns all events received so far.
func (b *Baresip) Events() []BaresipEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.events)
}

func (b *Baresip) eventTypesLocked() string {
	var s []string
	for _, e := range b.events {
		s = append(s, e.Type)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// readLoop owns reading from the control connection until it is closed.
func (b *Baresip) readLoop() {
	defer close(b.readDone)
	r := bufio.NewReader(b.conn)
	var err error
	for {
		var frame []byte
		frame, err = readNetstring(r)
		if err != nil {
			break
		}
		var m ctrlMsg
		if json.Unmarshal(frame, &m) != nil {
			continue // not JSON: nothing a test could use
		}
		b.mu.Lock()
		switch {
		case m.Response:
			if ch, ok := b.pending[m.Token]; ok {
				ch <- m
				delete(b.pending, m.Token)
			}
		case m.Event:
			var e BaresipEvent
			_ = json.Unmarshal(frame, &e)
			_ = json.Unmarshal(frame, &e.Raw)
			e.Received = time.Now()
			b.addEventLocked(e)
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	if errors.Is(err, io.EOF) {
		err = errors.New("baresip closed it")
	}
	b.readErr = err
	for tok, ch := range b.pending {
		close(ch)
		delete(b.pending, tok)
	}
	close(b.notify)
	b.mu.Unlock()
}

func (b *Baresip) addEventLocked(e BaresipEvent) {
	b.events = append(b.events, e)
	b.consumed = append(b.consumed, false)
	close(b.notify)
	b.notify = make(chan struct{})
}

// readNetstring reads one "<len>:<data>," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[:len(head)-1]))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q from baresip", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("netstring from baresip not terminated by ','")
	}
	return buf[:n], nil
}

// waitRegistered polls reginfo until the account is registered. A
// REGISTER_OK sent before the control connection was up is lost, so one is
// added (Synthetic) for tests that wait for it.
func (b *Baresip) waitRegistered(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		b.mu.Lock()
		seen := slices.ContainsFunc(b.events, func(e BaresipEvent) bool { return e.Type == "REGISTER_OK" })
		b.mu.Unlock()
		if seen {
			return nil
		}
		info, err := b.Command(ctx, "reginfo", "")
		if err == nil && strings.Contains(info, "OK") {
			b.mu.Lock()
			if !slices.ContainsFunc(b.events, func(e BaresipEvent) bool { return e.Type == "REGISTER_OK" }) {
				b.addEventLocked(BaresipEvent{Type: "REGISTER_OK", Class: "register", AccountAOR: b.aor, Synthetic: true})
			}
			b.mu.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("baresip %s did not register at %s: %v (reginfo: %q)\n%s", b.opts.User, b.opts.Registrar, ctx.Err(), info, b.proc.logTail(8<<10))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// SaveRecording copies the decoded incoming audio of the newest finished
// call to BaresipOptions.RecordWAV and returns that path. Call it after
// CALL_CLOSED: the WAV header is only complete once baresip closed the file,
// which this waits for (up to 5 s).
func (b *Baresip) SaveRecording(ctx context.Context) (string, error) {
	if b.opts.RecordWAV == "" {
		return "", errors.New("baresip was started without RecordWAV")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		files, _ := filepath.Glob(filepath.Join(b.sndDir, "dump-*-dec.wav"))
		slices.Sort(files) // names carry a timestamp: the last is the newest
		if len(files) > 0 {
			newest := files[len(files)-1]
			if data, err := os.ReadFile(newest); err == nil && wavComplete(data) {
				if err := os.WriteFile(b.opts.RecordWAV, data, 0o644); err != nil {
					return "", err
				}
				return b.opts.RecordWAV, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no finished recording in %s (files: %v): %w", b.sndDir, files, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wavComplete reports whether a RIFF header's size field matches the data,
// i.e. the writer has closed the file.
func wavComplete(data []byte) bool {
	if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return false
	}
	size := int(data[4]) | int(data[5])<<8 | int(data[6])<<16 | int(data[7])<<24
	return size+8 == len(data) && len(data) > 44
}
