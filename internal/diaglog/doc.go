// Package diaglog keeps the recent past in memory for "save diagnostics":
// a bounded ring of log records (an slog.Handler main tees into) and a
// bounded ring of SIP messages (a sipgo tracer). Both redact at capture
// time, so a secret never sits in memory waiting for a bundle: log
// attributes named like secrets, and in SIP messages the Authorization and
// Proxy-Authorization credentials (RFC 3261 §22) and SDES keys (a=crypto,
// RFC 4568 §9.1).
package diaglog
