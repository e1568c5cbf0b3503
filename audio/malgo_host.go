//go:build cgo

package audio

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gen2brain/malgo"
)

// BackendNull is miniaudio's null backend. malgo v0.11.26 declares
// malgo.BackendNull as 13, but in the bundled miniaudio 0.11.25 13 is
// ma_backend_custom and null is 14 (docs/audio.md);
// TestBackendNullIs14 guards this.
const BackendNull = malgo.Backend(14)

// MalgoHost is the Host for real sound devices through miniaudio.
type MalgoHost struct {
	ctx      *malgo.AllocatedContext
	backends []malgo.Backend
	log      *slog.Logger
	events   func(Event)
	poll     time.Duration
	mu       sync.Mutex // serialises enumeration with device (re)opening

	// releases are the device uninits in flight (release): the host owns
	// them, because ma_device_uninit can hang on a PulseAudio stream whose
	// sink was removed (miniaudio 0.11.25), and the context must outlive
	// every one of them.
	releases    sync.WaitGroup
	pending     atomic.Int32
	releaseWait time.Duration // how long Stop and Close wait for a release
	// wrapUninit replaces a device's uninit (tests simulate a hang).
	wrapUninit func(func()) func()
}

// MalgoOption configures a MalgoHost.
type MalgoOption func(*MalgoHost)

// WithBackends sets the backend order (first that initialises wins).
func WithBackends(b ...malgo.Backend) MalgoOption {
	return func(h *MalgoHost) { h.backends = append([]malgo.Backend(nil), b...) }
}

// WithNullBackend selects miniaudio's null backend (CI, headless).
func WithNullBackend() MalgoOption { return WithBackends(BackendNull) }

// WithLogger sets the logger (never used on the audio thread).
func WithLogger(l *slog.Logger) MalgoOption {
	return func(h *MalgoHost) {
		if l != nil {
			h.log = l
		}
	}
}

// WithEvents receives device events (fallbacks); called on a watchdog
// goroutine, never on the audio thread.
func WithEvents(f func(Event)) MalgoOption { return func(h *MalgoHost) { h.events = f } }

// WithPollInterval sets how often an open device checks that its selected
// endpoints still exist (default 2 s; 0 disables polling).
func WithPollInterval(d time.Duration) MalgoOption { return func(h *MalgoHost) { h.poll = d } }

// defaultBackends: on Linux PulseAudio first (also serves PipeWire), then
// ALSA; ALSA alone lists every plugin as a device. Elsewhere miniaudio's
// own order (WASAPI, Core Audio, …).
func defaultBackends() []malgo.Backend {
	if runtime.GOOS == "linux" {
		return []malgo.Backend{malgo.BackendPulseaudio, malgo.BackendAlsa}
	}
	return nil
}

// NewMalgoHost initialises a miniaudio context. Call Close when done.
func NewMalgoHost(opts ...MalgoOption) (*MalgoHost, error) {
	h := &MalgoHost{backends: defaultBackends(), log: slog.New(slog.DiscardHandler), poll: 2 * time.Second,
		releaseWait: 2 * time.Second}
	for _, o := range opts {
		o(h)
	}
	if !h.log.Enabled(context.Background(), slog.LevelDebug) {
		// ALSA's own diagnostics are for debugging (-v); the errors that
		// matter come back from miniaudio and are reported once.
		quietALSA()
	}
	ctx, err := malgo.InitContext(h.backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoBackend, err)
	}
	h.ctx = ctx
	return h, nil
}

// release uninitialises x's device on a goroutine the host owns and
// returns a channel closed when it is done. Callers never wait longer than
// releaseWait for it.
func (h *MalgoHost) release(x *instance) <-chan struct{} {
	done := make(chan struct{})
	h.releases.Add(1)
	h.pending.Add(1)
	uninit := x.dev.Uninit
	if h.wrapUninit != nil {
		uninit = h.wrapUninit(uninit)
	}
	go func() {
		// In this order: whoever done wakes must see the release counted
		// out (defers would close done first).
		defer h.releases.Done()
		uninit()
		h.pending.Add(-1)
		close(done)
	}()
	return done
}

// waitReleased waits up to d for done, logging a release that hangs.
func (h *MalgoHost) waitReleased(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		h.log.Warn("audio: releasing the sound device hangs; it is left to finish in the background", "waited", d)
		return false
	}
}

// Close releases the context. Stop every device first. A device release
// still hanging after releaseWait keeps the context alive (it is leaked,
// not freed under the running release) and Close reports it.
func (h *MalgoHost) Close() error {
	all := make(chan struct{})
	go func() { // ends when the last release does
		h.releases.Wait()
		close(all)
	}()
	released := h.waitReleased(all, h.releaseWait)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ctx == nil {
		return nil
	}
	if !released {
		h.ctx = nil
		return fmt.Errorf("%w: %d sound device release(s) still hang; the audio context is left open", ErrClosed, h.pending.Load())
	}
	err := h.ctx.Uninit()
	h.ctx.Free()
	h.ctx = nil
	return err
}

// Devices implements Host.
func (h *MalgoHost) Devices(kind Kind) ([]DeviceInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, out, err := h.devicesLocked(kind)
	return out, err
}

func (h *MalgoHost) devicesLocked(kind Kind) ([]malgo.DeviceInfo, []DeviceInfo, error) {
	if h.ctx == nil {
		return nil, nil, ErrClosed
	}
	mk := malgo.Playback
	if kind == Capture {
		mk = malgo.Capture
	}
	raw, err := h.ctx.Devices(mk)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s devices: %w", kind, err)
	}
	out := make([]DeviceInfo, len(raw))
	for i := range raw {
		out[i] = DeviceInfo{ID: raw[i].ID.String(), Name: raw[i].Name(), Kind: kind,
			Default: raw[i].IsDefault != 0, Backend: h.backendName()}
	}
	return raw, out, nil
}

func (h *MalgoHost) backendName() string {
	if len(h.backends) == 1 && h.backends[0] == BackendNull {
		return "null"
	}
	return "miniaudio"
}

// find resolves want (ID or name, case-insensitive for names) to a malgo
// device; "" or a vanished device resolve to the default (nil ID).
func (h *MalgoHost) find(kind Kind, want string) (id *malgo.DeviceID, info DeviceInfo, found bool, err error) {
	raw, infos, err := h.devicesLocked(kind)
	if err != nil {
		return nil, DeviceInfo{}, false, err
	}
	def := DeviceInfo{ID: "", Name: "default", Kind: kind, Default: true, Backend: h.backendName()}
	for i, d := range infos {
		if d.Default {
			def = d
		}
		if want != "" && (d.ID == want || strings.EqualFold(d.Name, want)) {
			return &raw[i].ID, d, true, nil
		}
	}
	return nil, def, want == "", nil
}

// Open implements Host. A configured device that does not exist falls
// back to the default with an EventFallback, so a call never fails to
// start because a headset was unplugged between calls.
func (h *MalgoHost) Open(cfg DeviceConfig) (Device, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	return &malgoDevice{host: h, cfg: cfg}, nil
}

func (h *MalgoHost) emit(e Event) {
	h.log.Info("audio device event", "kind", e.Kind, "device", e.Device, "err", e.Err)
	if h.events != nil {
		h.events(e)
	}
}
