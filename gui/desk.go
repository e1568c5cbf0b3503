package gui

import "github.com/parley-voip/parley/desk"

// WithDesk offers the contact-centre services of a Wazo line (agent
// session, colleagues, directory, server call log, voicemail, recording,
// server-side transfers). Without it (a plain SIP line) the window hides
// them.
func WithDesk(d *desk.Desk) Option { return func(c *runConfig) { c.desk = d } }
