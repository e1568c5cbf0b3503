package httpside

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin/callmodel"
	"github.com/parley-voip/parley/internal/wazostandin/directory"
)

const (
	hostUUID  = "11111111-1111-1111-1111-111111111111"
	otherUUID = "22222222-2222-2222-2222-222222222222"
	stackUUID = "cd030e68-ace9-4ad4-bc4e-13c8dec67898"
)

// testStack wires the HTTP side as the real Stack does (directory, bus,
// call model publishing to the bus), without a SIP side.
type testStack struct {
	dir   *directory.Directory
	bus   *Bus
	calls *callmodel.Model
	side  *Side
}

// testOption changes the HTTP side's configuration (like the stack's
// With… options).
type testOption func(*Config)

// WithPingInterval is the stack option of the same name.
func WithPingInterval(d time.Duration) testOption {
	return func(c *Config) { c.PingInterval = d }
}

func newTestStack(opts ...testOption) *testStack {
	st := &testStack{dir: directory.New("2c34c282-433e-4bb8-8d56-fec14ff7e1e9")}
	st.bus = NewBus(time.Now, stackUUID, nil)
	st.calls = callmodel.New(callmodel.Config{
		CallIDBase: 1700000000, DefaultTenant: "2c34c282-433e-4bb8-8d56-fec14ff7e1e9",
		TenantOf: func(u string) (string, bool) {
			usr, ok := st.dir.User(u)
			return usr.TenantUUID, ok
		},
		Publish: st.bus.Publish,
	})
	cfg := Config{StackUUID: stackUUID, WazoVersion: "25.14", Users: st.dir, Calls: st.calls, Bus: st.bus}
	for _, o := range opts {
		o(&cfg)
	}
	st.side = New(cfg)
	return st
}

func (st *testStack) AddUser(u directory.User) (directory.User, error) { return st.dir.Add(u) }
func (st *testStack) Calls() *callmodel.Model                          { return st.calls }
func (st *testStack) Handler() http.Handler                            { return st.side.Handler() }
func (st *testStack) ExpireToken(id string) bool                       { return st.side.ExpireToken(id) }
func (st *testStack) Close() error                                     { st.side.Close(); return nil }

// twoCalls (a copy of the call model tests' helper) builds the docs/wazo-protocol.md, Ad-hoc conferences tested setup: host leg h1 ⇄ remote p1, host leg
// h2 ⇄ remote p2 (remotes owned by nobody, like trunk/test peers).
func twoCalls(t *testing.T, m *callmodel.Model) (h1, p1, h2, p2 string) {
	t.Helper()
	mk := func(spec callmodel.ChannelSpec) string {
		c, err := m.NewChannel(spec)
		if err != nil {
			t.Fatal(err)
		}
		return c.CallID
	}
	h1 = mk(callmodel.ChannelSpec{UserUUID: hostUUID, CallerIDName: "Host", CallerIDNumber: "1000", SIPCallID: "sip-h1", IsCaller: true, Status: callmodel.StatusRing})
	p1 = mk(callmodel.ChannelSpec{CallerIDName: "P1", CallerIDNumber: "2001", LinkedTo: h1, Status: callmodel.StatusRinging})
	h2 = mk(callmodel.ChannelSpec{UserUUID: hostUUID, CallerIDName: "Host", CallerIDNumber: "1000", SIPCallID: "sip-h2", IsCaller: true, Status: callmodel.StatusRing})
	p2 = mk(callmodel.ChannelSpec{CallerIDName: "P2", CallerIDNumber: "2002", LinkedTo: h2, Status: callmodel.StatusRinging})
	for _, pair := range [][2]string{{h1, p1}, {h2, p2}} {
		for _, id := range pair {
			if _, err := m.Answer(id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.Bridge(pair[0], pair[1]); err != nil {
			t.Fatal(err)
		}
	}
	return
}

// TestBusEnvelope: a published event reaches subscribers of its user (and
// of everyone) wrapped in the envelope of docs/wazo-protocol.md, Event
// websocket: headers merged with data.
func TestBusEnvelope(t *testing.T) {
	b := NewBus(time.Now, stackUUID, nil)
	var mine, all []BusEvent
	b.Subscribe(hostUUID, func(ev BusEvent) { mine = append(mine, ev) })
	b.Subscribe("", func(ev BusEvent) { all = append(all, ev) })
	b.Subscribe(otherUUID, func(ev BusEvent) { t.Errorf("event for another user: %s", ev.Name) })
	b.Publish("call_ended", hostUUID, "tenant", "events.calls."+hostUUID, map[string]any{"reason_code": 16})
	if len(mine) != 1 || len(all) != 1 {
		t.Fatalf("delivered to %d/%d subscribers", len(mine), len(all))
	}
	var env map[string]any
	if err := json.Unmarshal(mine[0].Message, &env); err != nil {
		t.Fatal(err)
	}
	if env["name"] != "call_ended" || env["user_uuid:"+hostUUID] != true || env["required_acl"] != "events.calls."+hostUUID ||
		env["required_access"] != "event.call_ended" || env["origin_uuid"] != stackUUID || env["tenant_uuid"] != "tenant" {
		t.Fatalf("envelope %v", env)
	}
	if data := env["data"].(map[string]any); data["reason_code"] != float64(16) {
		t.Fatalf("data %v", data)
	}
}
