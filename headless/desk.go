package headless

import "github.com/parley-voip/parley/desk"

// WithDesk adds the contact-centre commands of a Wazo line (agent,
// colleagues, directory, call log, voicemail, recording, transfers; see
// docs/headless.md) and writes their events. The caller owns d and closes
// it after Run returns.
func WithDesk(d *desk.Desk) Option {
	return func(c *config) {
		c.desk = d
		addColleagues(c, d) // colleagues.go
	}
}
