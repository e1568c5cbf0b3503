// Package macurl receives the tel:, sip:, sips: and callto: links macOS
// hands Parley. macOS does not put a clicked link on the command line: it
// starts the app (or reuses the running one) and sends an Apple Event
// (kInternetEventClass/kAEGetURL), which GLFW, and so Fyne 2.8.1, ignores.
// The darwin build installs a small Objective-C handler for that event;
// other systems pass links as arguments and get a nil channel here.
package macurl

// Listen starts receiving links and returns the channel they arrive on. Call
// it once, before the GUI starts, so the link that launched the app is not
// missed. Links that arrive while nobody reads are dropped beyond a small
// buffer rather than blocking the main thread.
func Listen() <-chan string { return listen() }
