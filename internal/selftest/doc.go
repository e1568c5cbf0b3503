// Package selftest is "check my setup": a set of independent checks of what
// a call needs (the server answers, its certificate is trusted, the line is
// registered, the Wazo event websocket is up, ICE finds candidates, the
// microphone hears something, the speaker plays), each ending in a plain
// verdict, and "save diagnostics", a redacted bundle for IT support.
//
// It knows nothing of the window: the GUI gets the checks through an
// interface of its own, and every input comes through Config, so the checks
// run against the embedded Wazo stand-in and a null audio host in tests.
// docs/diagnostics.md says what each check means for the user.
package selftest
