package wazostandin

import "github.com/parley-voip/parley/internal/wazostandin/presence"

// Presence is a user's wazo-chatd presence (package presence).
type Presence = presence.Presence

// startPresence runs the chatd line-state watcher (owned by the stack,
// stopped by Close): every change of the call model wakes it
// (callmodel.Config.Changed), and it publishes chatd_presence_updated for
// each user whose line states changed. It starts with Handler, Serve or
// Start.
func (s *Stack) startPresence() {
	s.presOnce.Do(func() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.pres.Run(s.ctx)
		}()
	})
}

// SetPresence is a stand-in control (tests, the demo): it sets a user's
// chatd presence state and status as PUT /users/{uuid}/presences would,
// publishing chatd_presence_updated. A nil status keeps the stored one.
func (s *Stack) SetPresence(userUUID, state string, status *string) error {
	return s.pres.Update(userUUID, state, status, false)
}

// SetDoNotDisturb sets a user's do-not-disturb as chatd learns it from
// confd (users_services_dnd_updated) and publishes the presence.
func (s *Stack) SetDoNotDisturb(userUUID string, on bool) error {
	return s.pres.SetDND(userUUID, on)
}

// SetConnected marks a user as having a session elsewhere (a demo
// colleague whose phone is logged in), chatd's "connected".
func (s *Stack) SetConnected(userUUID string, on bool) error {
	return s.pres.SetConnected(userUUID, on)
}

// Presence returns a user's chatd presence as GET /users/{uuid}/presences
// would.
func (s *Stack) Presence(userUUID string) (Presence, error) { return s.pres.Get(userUUID) }
