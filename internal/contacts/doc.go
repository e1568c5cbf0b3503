// Package contacts keeps the user's local address book: contacts with
// several labelled numbers, a SIP address, a company and a note, saved in a
// JSON file (docs/decisions/0011-history-store.md says why not the history
// database). It imports vCard (2.1, 3.0 and 4.0: RFC 2426, RFC 6350) and
// CSV exports (Google, Outlook, or any file with a name and phone columns),
// searches from what is typed in the dial field, and finds the name behind
// a number, matching national and international forms (Dialling).
package contacts
