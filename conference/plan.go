package conference

import (
	"errors"
	"fmt"
	"slices"

	"github.com/parley-voip/parley/phone"
)

// ErrTooFewCalls is why a merge with no calls chosen cannot be planned.
var ErrTooFewCalls = errors.New("two connected calls are needed to make a conference")

// MergePlan is what a merge will do: the call that hosts the conference and
// the calls whose parties are brought into it.
type MergePlan struct {
	Host   phone.CallSession
	Others []phone.CallSession
}

// Plan decides a merge the same way for every front end, so the GUI's
// Merge calls button and headless conference_start make the same
// conference from the same calls.
//
// With chosen empty, the host is active (the call the agent is on, even if
// held: the backend takes it off hold) and every other established call is
// brought in; when active is not established, a call not on hold hosts.
// Fewer than two established calls give ErrTooFewCalls.
//
// With chosen set, active must name an open call (it hosts) and chosen are
// the calls to bring in; a name that is not open gives ErrNoSuchCall, and
// nothing left besides the host gives ErrNoCalls.
func Plan(calls []phone.CallSession, active string, chosen []string) (MergePlan, error) {
	if len(chosen) == 0 {
		return defaultPlan(calls, active)
	}
	find := func(id string) (phone.CallSession, error) {
		at := slices.IndexFunc(calls, func(cs phone.CallSession) bool { return cs.SIPCallID == id || cs.ID() == id })
		if at < 0 {
			return phone.CallSession{}, fmt.Errorf("%w (%q)", ErrNoSuchCall, id)
		}
		return calls[at], nil
	}
	host, err := find(active)
	if err != nil {
		return MergePlan{}, err
	}
	p := MergePlan{Host: host}
	seen := map[string]bool{host.SIPCallID: true}
	for _, id := range chosen {
		cs, err := find(id)
		if err != nil {
			return MergePlan{}, err
		}
		if !seen[cs.SIPCallID] {
			seen[cs.SIPCallID] = true
			p.Others = append(p.Others, cs)
		}
	}
	if len(p.Others) == 0 {
		return MergePlan{}, ErrNoCalls
	}
	return p, nil
}

// PlanOn is Plan with a host the user named: host must be an open,
// connected call (never swapped for another one, as Plan does with an
// active call that is not connected), and with chosen empty every other
// connected call is brought in.
func PlanOn(calls []phone.CallSession, host string, chosen []string) (MergePlan, error) {
	at := slices.IndexFunc(calls, func(cs phone.CallSession) bool { return cs.SIPCallID == host || cs.ID() == host })
	switch {
	case at < 0:
		return MergePlan{}, fmt.Errorf("%w (%q)", ErrNoSuchCall, host)
	case !calls[at].IsActive():
		return MergePlan{}, fmt.Errorf("%w (%q)", ErrHostNotConnected, host)
	}
	if len(chosen) > 0 {
		return Plan(calls, host, chosen)
	}
	p := MergePlan{Host: calls[at]}
	for i, cs := range calls {
		if i != at && cs.IsActive() {
			p.Others = append(p.Others, cs)
		}
	}
	if len(p.Others) == 0 {
		return MergePlan{}, ErrTooFewCalls
	}
	return p, nil
}

func defaultPlan(calls []phone.CallSession, active string) (MergePlan, error) {
	var established []phone.CallSession
	for _, cs := range calls {
		if cs.IsActive() {
			established = append(established, cs)
		}
	}
	if len(established) < 2 {
		return MergePlan{}, ErrTooFewCalls
	}
	hostAt := slices.IndexFunc(established, func(cs phone.CallSession) bool { return cs.SIPCallID == active || cs.ID() == active })
	if hostAt < 0 {
		// No active call among them: prefer one that is not on hold.
		hostAt = max(0, slices.IndexFunc(established, func(cs phone.CallSession) bool { return !cs.Paused }))
	}
	return MergePlan{Host: established[hostAt], Others: slices.Delete(slices.Clone(established), hostAt, hostAt+1)}, nil
}
