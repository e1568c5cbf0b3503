// Package history keeps the local call history: every call the phone saw,
// in or out, with its times, party, line and outcome.
//
// The store is a bbolt file (docs/decisions/0011-history-store.md). A call
// is written when it starts, as an entry in progress, and rewritten as it
// progresses; every write is one fsynced transaction. A process killed in
// the middle of a call therefore leaves an entry on disk with the last known
// state, and the next Open marks it "ended unexpectedly" (OutcomeInterrupted)
// instead of losing it.
//
// Recorder turns phone.API events into entries, so front ends only open a
// Store, start a Recorder and read.
//
// Entries carry a Source: "local" for what this phone recorded, another
// value (e.g. "wazo") for entries imported from a server-side call log, so
// both can be listed in the same view.
package history
