package demo

import (
	"fmt"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// Colleague is one demo co-worker: a Wazo user of the demo tenant whose
// extension is answered by a scripted peer (their "phone"), with the chatd
// presence the demo starts them with.
type Colleague struct {
	Firstname, Lastname string
	Exten               string
	Peer                wazostandin.PeerSpec
	State               string // chatd presence state
	Status              string
	DoNotDisturb        bool
}

// Colleagues is the demo's co-workers, in extension order.
func Colleagues() []Colleague {
	return []Colleague{
		{Firstname: "Alice", Lastname: "Martin", Exten: "1101", State: "available",
			Peer: wazostandin.PeerSpec{Kind: wazostandin.PeerTone, Name: "Alice Martin", Freqs: []float64{wazostandin.ToneBotHz}}},
		{Firstname: "Bruno", Lastname: "Lefèvre", Exten: "1102", State: "away", Status: "Back at 2 pm",
			Peer: wazostandin.PeerSpec{Kind: wazostandin.PeerEcho, Name: "Bruno Lefèvre"}},
		{Firstname: "Chloé", Lastname: "Dubois", Exten: "1103", State: "available",
			Peer: wazostandin.PeerSpec{Kind: wazostandin.PeerNoAnswer, Name: "Chloé Dubois"}},
		{Firstname: "David", Lastname: "Moreau", Exten: "1104", State: "available", Status: "In a meeting", DoNotDisturb: true,
			Peer: wazostandin.PeerSpec{Kind: wazostandin.PeerBusy, Name: "David Moreau"}},
		{Firstname: "Emma", Lastname: "Petit", Exten: "1105", State: "unavailable",
			Peer: wazostandin.PeerSpec{Kind: wazostandin.PeerRecorder, Name: "Emma Petit"}},
	}
}

// colleagueExtensions adds the colleagues' phones to the dial plan.
func colleagueExtensions(ext map[string]wazostandin.PeerSpec) map[string]wazostandin.PeerSpec {
	for _, c := range Colleagues() {
		ext[c.Exten] = c.Peer
	}
	return ext
}

// addColleagues creates the colleague users and sets their presence.
func addColleagues(st *wazostandin.Stack) (map[string]string, error) {
	uuids := map[string]string{}
	for i, c := range Colleagues() {
		u, err := st.AddUser(wazostandin.User{
			Username: fmt.Sprintf("colleague%d", i+1), Password: fmt.Sprintf("colleague-secret-%d", i+1),
			Firstname: c.Firstname, Lastname: c.Lastname,
			Lines: []wazostandin.Line{{Extensions: []wazostandin.Extension{{Exten: c.Exten, Context: "default"}}}},
		})
		if err != nil {
			return nil, err
		}
		var status *string
		if c.Status != "" {
			status = &c.Status
		}
		if err := st.SetPresence(u.UUID, c.State, status); err != nil {
			return nil, err
		}
		if err := st.SetDoNotDisturb(u.UUID, c.DoNotDisturb); err != nil {
			return nil, err
		}
		if c.State != "unavailable" {
			_ = st.SetConnected(u.UUID, true)
		}
		uuids[c.Exten] = u.UUID
	}
	return uuids, nil
}

// ColleagueUUID is the user uuid of the demo colleague at exten.
func (d *Demo) ColleagueUUID(exten string) (string, bool) {
	u, ok := d.colleagues[exten]
	return u, ok
}

// comings and goings: every period Bruno (1102) steps away or comes back,
// so the demo's Colleagues window shows a live change. Owned by the Demo
// (stopped by Close).
func (d *Demo) runComings(period time.Duration) {
	uuid, ok := d.colleagues["1102"]
	if !ok || period <= 0 {
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		away := true
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
			}
			away = !away
			state, status := "available", ""
			if away {
				state, status = "away", "Back at 2 pm"
			}
			_ = d.stack.SetPresence(uuid, state, &status)
		}
	}()
}
