package selftest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/parley-voip/parley/wazo"
)

// hostPort splits the target's address, adding the transport's default
// port (RFC 3261 §19.1.2: 5060, 5061 for TLS; RFC 7118 leaves WebSocket on
// the HTTP ports).
func (t Target) hostPort() (host, port string, err error) {
	addr := strings.TrimSpace(t.Address)
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "https://"), "wss://")
	addr = strings.TrimSuffix(addr, "/")
	if addr == "" {
		return "", "", errors.New("no server address is configured")
	}
	if h, p, err := net.SplitHostPort(addr); err == nil {
		return h, p, nil
	}
	switch strings.ToLower(t.Transport) {
	case "https", "wss":
		return addr, "443", nil
	case "ws":
		return addr, "80", nil
	case "tls":
		return addr, "5061", nil
	}
	return addr, "5060", nil
}

// usesTLS reports whether the transport is encrypted.
func (t Target) usesTLS() bool {
	switch strings.ToLower(t.Transport) {
	case "https", "wss", "tls":
		return true
	}
	return false
}

func (t Target) udp() bool { return strings.EqualFold(t.Transport, "udp") }

// checkServer resolves the server's name and opens a connection to it.
func (c *Checker) checkServer(ctx context.Context, emit func(Result)) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	host, port, err := c.cfg.Server.hostPort()
	if err != nil {
		emit(result(CheckServer, StatusFailed, msg("No server is configured."), msg("Sign in, or set the server in your account settings.")))
		return
	}
	addrs, err := c.resolve(ctx, host)
	if err != nil {
		emit(result(CheckServer, StatusFailed, dnsWords(host, err), msg("Check the server name for typing mistakes, and that this computer is on the network (or the VPN your company uses).")))
		return
	}
	where := net.JoinHostPort(host, port)
	if c.cfg.Server.udp() {
		emit(result(CheckServer, StatusOK, msg("{{.Host}} resolves to {{.Addresses}}. UDP has no connection to open: the registration line shows whether the server answers.", "Host", host, "Addresses", strings.Join(addrs, ", ")), Message{}))
		return
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", where)
	if err != nil {
		emit(result(CheckServer, StatusFailed, connectWords(where, err, c.cfg.Timeout), msg("Check the server address and port; if they are right, a firewall or proxy on this network may block the connection: ask your IT team to allow it.")))
		return
	}
	_ = conn.Close()
	if net.ParseIP(host) != nil {
		emit(result(CheckServer, StatusOK, msg("{{.Host}} answers on port {{.Port}}.", "Host", host, "Port", port), Message{}))
		return
	}
	emit(result(CheckServer, StatusOK, msg("{{.Host}} answers on port {{.Port}} ({{.Addresses}}).", "Host", host, "Port", port, "Addresses", strings.Join(addrs, ", ")), Message{}))
}

func (c *Checker) resolve(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, nil
	}
	return c.cfg.Resolver.LookupHost(ctx, host)
}

// dnsWords says why a name did not resolve.
func dnsWords(host string, err error) Message {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return msg("The server name {{.Host}} does not exist (DNS knows no such name).", "Host", host)
		case dnsErr.IsTimeout:
			return msg("No DNS server answered for {{.Host}} in time.", "Host", host)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return msg("No DNS server answered for {{.Host}} in time.", "Host", host)
	}
	return msg("The server name {{.Host}} could not be looked up ({{.Error}}).", "Host", host, "Error", err.Error())
}

// connectWords says why a connection failed.
func connectWords(where string, err error, timeout time.Duration) Message {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return msg("Nothing answers at {{.Address}}: the server refused the connection (wrong port, or the service is down).", "Address", where)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return msg("{{.Address}} did not answer within {{.Timeout}}: the address may be wrong, or a firewall drops the connection.", "Address", where, "Timeout", timeout.String())
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return msg("{{.Address}} cannot be reached from this network (no route).", "Address", where)
	}
	return msg("{{.Address}} could not be reached ({{.Error}}).", "Address", where, "Error", err.Error())
}

// checkCertificate makes a TLS handshake with the server, with the same
// trust the line uses: the pinned certificate (wazo.PinnedTLS), or the
// system's authorities. Verification is never switched off.
func (c *Checker) checkCertificate(ctx context.Context, emit func(Result)) {
	t := c.cfg.Server
	if strings.TrimSpace(t.Address) == "" {
		emit(result(CheckCertificate, StatusSkipped, msg("No server is configured."), Message{}))
		return
	}
	if !t.usesTLS() {
		emit(result(CheckCertificate, StatusSkipped, msg("The line does not use TLS (transport {{.Transport}}), so there is no certificate to check; its signalling is not encrypted.", "Transport", t.Transport), Message{}))
		return
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	host, port, err := t.hostPort()
	if err != nil {
		emit(result(CheckCertificate, StatusSkipped, msg("No server is configured."), Message{}))
		return
	}
	base := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: host, RootCAs: t.RootCAs}
	if t.Pin != nil {
		base = wazo.PinnedTLS(base, *t.Pin)
	}
	d := &tls.Dialer{Config: base}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err == nil {
		state := conn.(*tls.Conn).ConnectionState()
		_ = conn.Close()
		emit(certOK(t, state))
		return
	}
	sum, found, mismatch := unverified(err)
	if !found {
		var netErr net.Error
		if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.DeadlineExceeded) {
			emit(result(CheckCertificate, StatusSkipped, msg("The server could not be reached, so its certificate was not checked."), Message{}))
			return
		}
		emit(result(CheckCertificate, StatusFailed, msg("The secure connection failed ({{.Error}}).", "Error", err.Error()), msg("The server may not speak TLS on this port: check the transport and port with your administrator.")))
		return
	}
	fp := wazo.FormatFingerprint(sum)
	var r Result
	if mismatch {
		r = result(CheckCertificate, StatusFailed,
			msg("The server now presents a different certificate from the one you chose to trust (SHA-256 {{.Fingerprint}}).", "Fingerprint", fp),
			msg("Ask your administrator whether the server's certificate was replaced; if it was not, do not connect: someone may be intercepting the connection."))
	} else {
		r = result(CheckCertificate, StatusFailed,
			untrusted(err, fp),
			msg("Compare the fingerprint with the one your administrator gives you; if they match, choose to trust it when you sign in."))
	}
	r.Fingerprint = fp
	emit(r)
}

func certOK(t Target, state tls.ConnectionState) Result {
	leaf := state.PeerCertificates[0]
	fp := wazo.FormatFingerprint(sha256.Sum256(leaf.Raw))
	var r Result
	if t.Pin != nil {
		r = result(CheckCertificate, StatusOK, msg("The server presents the certificate you chose to trust (SHA-256 {{.Fingerprint}}).", "Fingerprint", fp), Message{})
	} else {
		r = result(CheckCertificate, StatusOK, msg("The certificate is trusted: issued to {{.Subject}} by {{.Issuer}}, valid until {{.Date}}.", "Subject", leaf.Subject.CommonName, "Issuer", leaf.Issuer.CommonName, "Date", leaf.NotAfter.Format(time.DateOnly)), Message{})
	}
	if left := time.Until(leaf.NotAfter); left < 14*24*time.Hour {
		r.Status = StatusWarning
		r.AdviceMsg = msg("It expires on {{.Date}}: tell your administrator to renew it.", "Date", leaf.NotAfter.Format(time.DateOnly))
		r.Advice = r.AdviceMsg.Render()
	}
	r.Fingerprint = fp
	return r
}

// unverified finds the server's certificate in a failed handshake, and
// whether the failure was a pin mismatch.
func unverified(err error) (sum [sha256.Size]byte, found, mismatch bool) {
	var ce *wazo.CertificateError
	if errors.As(err, &ce) {
		return ce.SHA256, true, errors.Is(err, wazo.ErrCertificateMismatch)
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) && len(ve.UnverifiedCertificates) > 0 {
		return sha256.Sum256(ve.UnverifiedCertificates[0].Raw), true, false
	}
	return sum, false, false
}

// untrusted says why the server's certificate (fingerprint fp) is not
// trusted: one whole sentence per reason, so each translates as a whole.
func untrusted(err error, fp string) Message {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &host):
		return msg("The server's certificate is not trusted by this computer (it was issued for another name); its SHA-256 fingerprint is {{.Fingerprint}}.", "Fingerprint", fp)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return msg("The server's certificate is not trusted by this computer (it has expired or is not valid yet); its SHA-256 fingerprint is {{.Fingerprint}}.", "Fingerprint", fp)
	case errors.As(err, &unknown):
		return msg("The server's certificate is not trusted by this computer (no authority this computer knows signed it; Wazo servers use a self-signed one by default); its SHA-256 fingerprint is {{.Fingerprint}}.", "Fingerprint", fp)
	}
	return msg("The server's certificate is not trusted by this computer (it could not be verified); its SHA-256 fingerprint is {{.Fingerprint}}.", "Fingerprint", fp)
}
