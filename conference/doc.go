// Package conference runs ad-hoc conferences ("merge these calls") behind one
// interface, Backend, so the GUI and headless mode never care how a line
// mixes audio:
//
//   - a Wazo line uses the calld backend (NewWazo): wazo-calld bridges the
//     channels in a mixing bridge and the softphone keeps a single SIP dialog,
//     the host leg (docs/wazo-protocol.md, Ad-hoc conferences);
//   - a plain SIP line uses the local mixing backend (NewLocal; see
//     docs/conference.md, "Local mixing").
//
// A Conference is keyed by the ids the server uses: participants are the
// REMOTE channel ids found in talking_to of the host's legs (docs/wazo-protocol.md, Ad-hoc conferences: "Ids —
// critical"), not SIP Call-IDs, because that is what calld's participant
// routes and conference_adhoc_participant_* events carry (wazo-js-sdk, as described in docs/wazo-protocol.md, Ad-hoc conferences: the SDK's
// sipCallId-keyed participantHasLeft is a bug we do not copy).
//
// Legs that the server hangs up because they were folded into a conference
// ("merged" legs: the host's other dialogs, docs/wazo-protocol.md, Ad-hoc conferences: Create/Add) still end with a
// BYE and a phone call_ended event. Backends record those SIP Call-IDs before
// asking the server, so front ends can ask Backend.MergedInto on call_ended
// and show "merged into the conference" instead of "call ended"; a call_merged
// conference event says the same thing on the event stream.
package conference
