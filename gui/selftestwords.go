package gui

import "fyne.io/fyne/v2/lang"

// selfTestWords words one text of "Check my setup" in the user's language:
// key is the English text/template the engine reports (a check's name, or
// a verdict sentence), values fill it in. One case per key, each a
// constant, so the translation tests see every text; false for a key this
// version does not know (the window then shows the engine's English).
func selfTestWords(key string, values map[string]any) (string, bool) {
	switch key {
	case "Server reachable":
		return lang.L("Server reachable", values), true
	case "Server certificate":
		return lang.L("Server certificate", values), true
	case "SIP registration":
		return lang.L("SIP registration", values), true
	case "Wazo event connection":
		return lang.L("Wazo event connection", values), true
	case "Local network addresses (ICE host)":
		return lang.L("Local network addresses (ICE host)", values), true
	case "Public address through STUN (ICE server-reflexive)":
		return lang.L("Public address through STUN (ICE server-reflexive)", values), true
	case "Relay through TURN (ICE relay)":
		return lang.L("Relay through TURN (ICE relay)", values), true
	case "Microphone":
		return lang.L("Microphone", values), true
	case "Speaker":
		return lang.L("Speaker", values), true
	case "The check was stopped before it finished.":
		return lang.L("The check was stopped before it finished.", values), true
	case "Candidates could not be gathered ({{.Error}}).":
		return lang.L("Candidates could not be gathered ({{.Error}}).", values), true
	case "Check that this computer has a network connection.":
		return lang.L("Check that this computer has a network connection.", values), true
	case "Not checked: gathering failed.":
		return lang.L("Not checked: gathering failed.", values), true
	case "No local network address can carry audio.":
		return lang.L("No local network address can carry audio.", values), true
	case "Check that this computer is connected to a network.":
		return lang.L("Check that this computer is connected to a network.", values), true
	case "Audio can use {{.Addresses}}.":
		return lang.L("Audio can use {{.Addresses}}.", values), true
	case "No STUN server is configured, so Parley cannot learn its public address.":
		return lang.L("No STUN server is configured, so Parley cannot learn its public address.", values), true
	case "That is fine on the office network or when the server fixes addresses itself (Wazo does); from home, behind a router, calls may have no audio: ask your administrator for a STUN server.":
		return lang.L("That is fine on the office network or when the server fixes addresses itself (Wazo does); from home, behind a router, calls may have no audio: ask your administrator for a STUN server.", values), true
	case "No STUN server answered ({{.Servers}}).":
		return lang.L("No STUN server answered ({{.Servers}}).", values), true
	case "Check the STUN address; a firewall may block UDP to it: ask your IT team to allow it.":
		return lang.L("Check the STUN address; a firewall may block UDP to it: ask your IT team to allow it.", values), true
	case "The STUN server sees this computer as {{.Addresses}}.":
		return lang.L("The STUN server sees this computer as {{.Addresses}}.", values), true
	case "Not configured: no TURN server is set for this line.":
		return lang.L("Not configured: no TURN server is set for this line.", values), true
	case "On networks that allow no UDP at all, calls need a relay: the server's own media servers (Wazo), or a TURN server your administrator gives you.":
		return lang.L("On networks that allow no UDP at all, calls need a relay: the server's own media servers (Wazo), or a TURN server your administrator gives you.", values), true
	case "No TURN server gave a relay ({{.Servers}}).":
		return lang.L("No TURN server gave a relay ({{.Servers}}).", values), true
	case "Check the TURN address, user and password; a firewall may block the TURN port: ask your IT team to allow it.":
		return lang.L("Check the TURN address, user and password; a firewall may block the TURN port: ask your IT team to allow it.", values), true
	case "The TURN server relays audio through {{.Addresses}}.":
		return lang.L("The TURN server relays audio through {{.Addresses}}.", values), true
	case "Sound is set to silent devices (-audio null): calls carry silence.":
		return lang.L("Sound is set to silent devices (-audio null): calls carry silence.", values), true
	case "No line is connected yet.":
		return lang.L("No line is connected yet.", values), true
	case "Sign in first.":
		return lang.L("Sign in first.", values), true
	case "Registered as {{.Address}}: calls can reach you.":
		return lang.L("Registered as {{.Address}}: calls can reach you.", values), true
	case "This line is set not to register: it places calls through its server and takes calls sent straight to it.":
		return lang.L("This line is set not to register: it places calls through its server and takes calls sent straight to it.", values), true
	case "Still registering: the server has not answered yet.":
		return lang.L("Still registering: the server has not answered yet.", values), true
	case "Wait a moment and check again; if it stays like this, run the check for the server above.":
		return lang.L("Wait a moment and check again; if it stays like this, run the check for the server above.", values), true
	case "Parley keeps retrying. Check the server address and your connection.":
		return lang.L("Parley keeps retrying. Check the server address and your connection.", values), true
	case "Check your username and password with your administrator.":
		return lang.L("Check your username and password with your administrator.", values), true
	case "Not registered: the server refused it.":
		return lang.L("Not registered: the server refused it.", values), true
	case "Not registered: the server refused it (SIP {{.Code}}).":
		return lang.L("Not registered: the server refused it (SIP {{.Code}}).", values), true
	case "Not registered: {{.Reason}}.":
		return lang.L("Not registered: {{.Reason}}.", values), true
	case "Not registered: {{.Reason}} (SIP {{.Code}}).":
		return lang.L("Not registered: {{.Reason}} (SIP {{.Code}}).", values), true
	case "Not registered: incoming calls cannot reach you.":
		return lang.L("Not registered: incoming calls cannot reach you.", values), true
	case "Sign in again, or check the account settings.":
		return lang.L("Sign in again, or check the account settings.", values), true
	case "This is a plain SIP line: it has no Wazo event connection.":
		return lang.L("This is a plain SIP line: it has no Wazo event connection.", values), true
	case "Connected: Parley receives the Wazo server's call events.":
		return lang.L("Connected: Parley receives the Wazo server's call events.", values), true
	case "Not connected: calls still work, but caller details, transfers and conferences from the Wazo server do not arrive.":
		return lang.L("Not connected: calls still work, but caller details, transfers and conferences from the Wazo server do not arrive.", values), true
	case "Parley reconnects by itself; if this stays, a proxy on this network may block websockets: ask your IT team to allow wss:// to the Wazo server.":
		return lang.L("Parley reconnects by itself; if this stays, a proxy on this network may block websockets: ask your IT team to allow wss:// to the Wazo server.", values), true
	case "No server is configured.":
		return lang.L("No server is configured.", values), true
	case "Sign in, or set the server in your account settings.":
		return lang.L("Sign in, or set the server in your account settings.", values), true
	case "Check the server name for typing mistakes, and that this computer is on the network (or the VPN your company uses).":
		return lang.L("Check the server name for typing mistakes, and that this computer is on the network (or the VPN your company uses).", values), true
	case "{{.Host}} resolves to {{.Addresses}}. UDP has no connection to open: the registration line shows whether the server answers.":
		return lang.L("{{.Host}} resolves to {{.Addresses}}. UDP has no connection to open: the registration line shows whether the server answers.", values), true
	case "Check the server address and port; if they are right, a firewall or proxy on this network may block the connection: ask your IT team to allow it.":
		return lang.L("Check the server address and port; if they are right, a firewall or proxy on this network may block the connection: ask your IT team to allow it.", values), true
	case "{{.Host}} answers on port {{.Port}}.":
		return lang.L("{{.Host}} answers on port {{.Port}}.", values), true
	case "{{.Host}} answers on port {{.Port}} ({{.Addresses}}).":
		return lang.L("{{.Host}} answers on port {{.Port}} ({{.Addresses}}).", values), true
	case "The server name {{.Host}} does not exist (DNS knows no such name).":
		return lang.L("The server name {{.Host}} does not exist (DNS knows no such name).", values), true
	case "No DNS server answered for {{.Host}} in time.":
		return lang.L("No DNS server answered for {{.Host}} in time.", values), true
	case "The server name {{.Host}} could not be looked up ({{.Error}}).":
		return lang.L("The server name {{.Host}} could not be looked up ({{.Error}}).", values), true
	case "Nothing answers at {{.Address}}: the server refused the connection (wrong port, or the service is down).":
		return lang.L("Nothing answers at {{.Address}}: the server refused the connection (wrong port, or the service is down).", values), true
	case "{{.Address}} did not answer within {{.Timeout}}: the address may be wrong, or a firewall drops the connection.":
		return lang.L("{{.Address}} did not answer within {{.Timeout}}: the address may be wrong, or a firewall drops the connection.", values), true
	case "{{.Address}} cannot be reached from this network (no route).":
		return lang.L("{{.Address}} cannot be reached from this network (no route).", values), true
	case "{{.Address}} could not be reached ({{.Error}}).":
		return lang.L("{{.Address}} could not be reached ({{.Error}}).", values), true
	case "The line does not use TLS (transport {{.Transport}}), so there is no certificate to check; its signalling is not encrypted.":
		return lang.L("The line does not use TLS (transport {{.Transport}}), so there is no certificate to check; its signalling is not encrypted.", values), true
	case "The server could not be reached, so its certificate was not checked.":
		return lang.L("The server could not be reached, so its certificate was not checked.", values), true
	case "The secure connection failed ({{.Error}}).":
		return lang.L("The secure connection failed ({{.Error}}).", values), true
	case "The server may not speak TLS on this port: check the transport and port with your administrator.":
		return lang.L("The server may not speak TLS on this port: check the transport and port with your administrator.", values), true
	case "The server now presents a different certificate from the one you chose to trust (SHA-256 {{.Fingerprint}}).":
		return lang.L("The server now presents a different certificate from the one you chose to trust (SHA-256 {{.Fingerprint}}).", values), true
	case "Ask your administrator whether the server's certificate was replaced; if it was not, do not connect: someone may be intercepting the connection.":
		return lang.L("Ask your administrator whether the server's certificate was replaced; if it was not, do not connect: someone may be intercepting the connection.", values), true
	case "Compare the fingerprint with the one your administrator gives you; if they match, choose to trust it when you sign in.":
		return lang.L("Compare the fingerprint with the one your administrator gives you; if they match, choose to trust it when you sign in.", values), true
	case "The server presents the certificate you chose to trust (SHA-256 {{.Fingerprint}}).":
		return lang.L("The server presents the certificate you chose to trust (SHA-256 {{.Fingerprint}}).", values), true
	case "The certificate is trusted: issued to {{.Subject}} by {{.Issuer}}, valid until {{.Date}}.":
		return lang.L("The certificate is trusted: issued to {{.Subject}} by {{.Issuer}}, valid until {{.Date}}.", values), true
	case "It expires on {{.Date}}: tell your administrator to renew it.":
		return lang.L("It expires on {{.Date}}: tell your administrator to renew it.", values), true
	case "The server's certificate is not trusted by this computer (it was issued for another name); its SHA-256 fingerprint is {{.Fingerprint}}.":
		return lang.L("The server's certificate is not trusted by this computer (it was issued for another name); its SHA-256 fingerprint is {{.Fingerprint}}.", values), true
	case "The server's certificate is not trusted by this computer (it has expired or is not valid yet); its SHA-256 fingerprint is {{.Fingerprint}}.":
		return lang.L("The server's certificate is not trusted by this computer (it has expired or is not valid yet); its SHA-256 fingerprint is {{.Fingerprint}}.", values), true
	case "The server's certificate is not trusted by this computer (no authority this computer knows signed it; Wazo servers use a self-signed one by default); its SHA-256 fingerprint is {{.Fingerprint}}.":
		return lang.L("The server's certificate is not trusted by this computer (no authority this computer knows signed it; Wazo servers use a self-signed one by default); its SHA-256 fingerprint is {{.Fingerprint}}.", values), true
	case "The server's certificate is not trusted by this computer (it could not be verified); its SHA-256 fingerprint is {{.Fingerprint}}.":
		return lang.L("The server's certificate is not trusted by this computer (it could not be verified); its SHA-256 fingerprint is {{.Fingerprint}}.", values), true
	case "Sound is switched off in Parley's settings (-audio off).":
		return lang.L("Sound is switched off in Parley's settings (-audio off).", values), true
	case "Not checked during a call: the call is using the microphone.":
		return lang.L("Not checked during a call: the call is using the microphone.", values), true
	case "Run the check again after the call.":
		return lang.L("Run the check again after the call.", values), true
	case "Not checked during a call: the call is using the speaker.":
		return lang.L("Not checked during a call: the call is using the speaker.", values), true
	case "The default device records only silence.":
		return lang.L("The default device records only silence.", values), true
	case "{{.Device}} records only silence.":
		return lang.L("{{.Device}} records only silence.", values), true
	case "Check that the microphone is not muted (a switch on the headset, or the system's sound settings) and that the right input is chosen.":
		return lang.L("Check that the microphone is not muted (a switch on the headset, or the system's sound settings) and that the right input is chosen.", values), true
	case "The default device hears very little (loudest {{.Level}} dBFS).":
		return lang.L("The default device hears very little (loudest {{.Level}} dBFS).", values), true
	case "{{.Device}} hears very little (loudest {{.Level}} dBFS).":
		return lang.L("{{.Device}} hears very little (loudest {{.Level}} dBFS).", values), true
	case "Speak while the check runs; if the level stays low, raise the input volume in the system's sound settings.":
		return lang.L("Speak while the check runs; if the level stays low, raise the input volume in the system's sound settings.", values), true
	case "The default device works (loudest {{.Level}} dBFS).":
		return lang.L("The default device works (loudest {{.Level}} dBFS).", values), true
	case "{{.Device}} works (loudest {{.Level}} dBFS).":
		return lang.L("{{.Device}} works (loudest {{.Level}} dBFS).", values), true
	case "The test tone could not be made ({{.Error}}).":
		return lang.L("The test tone could not be made ({{.Error}}).", values), true
	case "A {{.Frequency}} Hz tone played on the default device.":
		return lang.L("A {{.Frequency}} Hz tone played on the default device.", values), true
	case "A {{.Frequency}} Hz tone played on {{.Device}}.":
		return lang.L("A {{.Frequency}} Hz tone played on {{.Device}}.", values), true
	case "If you heard nothing, check the volume and that the right output is chosen.":
		return lang.L("If you heard nothing, check the volume and that the right output is chosen.", values), true
	case "No microphone was found on this computer.":
		return lang.L("No microphone was found on this computer.", values), true
	case "Plug in a headset or a microphone, then check again.":
		return lang.L("Plug in a headset or a microphone, then check again.", values), true
	case "No speaker was found on this computer.":
		return lang.L("No speaker was found on this computer.", values), true
	case "Plug in a headset or a speaker, then check again.":
		return lang.L("Plug in a headset or a speaker, then check again.", values), true
	case "The speaker could not be used ({{.Error}}).":
		return lang.L("The speaker could not be used ({{.Error}}).", values), true
	case "The microphone could not be used ({{.Error}}).":
		return lang.L("The microphone could not be used ({{.Error}}).", values), true
	case "Another program may hold it, or it was unplugged: close other call programs and check again.":
		return lang.L("Another program may hold it, or it was unplugged: close other call programs and check again.", values), true
	}
	return "", false
}

// SelfTestKnows reports whether the window words key, so that a test on
// the engine side can check that it translates every text it reports.
func SelfTestKnows(key string) bool {
	_, ok := selfTestWords(key, nil)
	return ok
}
