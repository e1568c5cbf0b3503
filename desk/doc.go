// Package desk is the contact-centre side of a Wazo line, offered to the
// front ends: the agent session (wazo-agentd), colleagues' presence and
// line states (wazo-chatd), the company directory (wazo-dird), the
// server's call log (wazo-call-logd), voicemail, recording control and
// server-side transfers (wazo-calld).
//
// It sits beside conference/: desk imports wazo/ and wazoline/, and gui/
// and headless/ import desk, so neither front end knows Wazo. Each service
// has its own file and is reached from Desk (d.Agent(), d.Directory() …);
// a plain SIP line has no Desk at all, and the front ends hide what it
// would offer.
package desk
