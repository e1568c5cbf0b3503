package sipside

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

// testStack is the part of the stack the SIP side needs, wired as the real
// Stack wires it: a user directory, a call model whose events fan out to
// subscribers (the mixer's change signal among them), and an HTTPS server
// serving the SIP websocket. It keeps these tests off the HTTP side.
type testStack struct {
	dir   *directory.Directory
	calls *callmodel.Model
	side  *Side
	srv   *httptest.Server

	mu   sync.Mutex
	next int
	subs map[int]testSub
}

type testSub struct {
	userUUID string // "" = every event
	fn       func(busEvent)
}

// busEvent is a published event as the tests read it.
type busEvent struct {
	Name     string
	UserUUID string
	Data     json.RawMessage
}

// testOption changes the SIP side's configuration (like the stack's
// With… options).
type testOption func(*Config)

// WithQualifyInterval is the stack option of the same name.
func WithQualifyInterval(d time.Duration) testOption {
	return func(c *Config) { c.Qualify = d }
}

// withoutCallIDHeader simulates an engine older than 26.08.
func withoutCallIDHeader() testOption { return func(c *Config) { c.CallIDHeader = false } }

func newTestStack(t *testing.T, opts ...testOption) *testStack {
	t.Helper()
	st := &testStack{dir: directory.New("2c34c282-433e-4bb8-8d56-fec14ff7e1e9"), subs: map[int]testSub{}}
	st.calls = callmodel.New(callmodel.Config{
		CallIDBase: 1700000000, DefaultTenant: "2c34c282-433e-4bb8-8d56-fec14ff7e1e9",
		TenantOf: func(u string) (string, bool) {
			usr, ok := st.dir.User(u)
			return usr.TenantUUID, ok
		},
		Publish: st.publish,
	})
	cfg := DefaultConfig()
	cfg.Calls, cfg.Users = st.calls, st.dir
	cfg.CallIDHeader = true // an engine 26.08 or later; withoutCallIDHeader for older
	cfg.Subscribe = func(fn func()) func() { return st.Subscribe("", func(busEvent) { fn() }) }
	for _, o := range opts {
		o(&cfg)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/asterisk/ws", func(w http.ResponseWriter, r *http.Request) { st.side.HandleWS(w, r) })
	st.srv = httptest.NewUnstartedServer(mux)
	cfg.ListenAddr = st.srv.Listener.Addr
	st.side = New(cfg)
	st.srv.StartTLS()
	return st
}

func (st *testStack) publish(name, userUUID, _, _ string, data any) {
	raw, err := json.Marshal(data)
	if err != nil {
		return
	}
	ev := busEvent{Name: name, UserUUID: userUUID, Data: raw}
	st.mu.Lock()
	ids := make([]int, 0, len(st.subs))
	for id, s := range st.subs {
		if s.userUUID == "" || s.userUUID == userUUID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	fns := make([]func(busEvent), 0, len(ids))
	for _, id := range ids {
		fns = append(fns, st.subs[id].fn)
	}
	st.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// Subscribe is Stack.Subscribe: fn sees the events of userUUID ("" = all).
func (st *testStack) Subscribe(userUUID string, fn func(busEvent)) (cancel func()) {
	st.mu.Lock()
	st.next++
	id := st.next
	st.subs[id] = testSub{userUUID, fn}
	st.mu.Unlock()
	return func() {
		st.mu.Lock()
		delete(st.subs, id)
		st.mu.Unlock()
	}
}

func (st *testStack) AddUser(u directory.User) (directory.User, error) { return st.dir.Add(u) }

func (st *testStack) Calls() *callmodel.Model { return st.calls }

func (st *testStack) Ring(userUUID, fromNumber, fromName string, opts ...RingOption) (*RingingCall, error) {
	return st.side.Ring(userUUID, fromNumber, fromName, opts...)
}

func (st *testStack) Peer(channelID string) (*Peer, bool) { return st.side.Peer(channelID) }

// Close closes the SIP side, then the HTTPS server, as Stack.Close does.
func (st *testStack) Close() error {
	st.side.Close()
	st.srv.Close()
	return nil
}
