package selftest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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
		emit(result(CheckServer, StatusFailed, "No server is configured.", "Sign in, or set the server in your account settings."))
		return
	}
	addrs, err := c.resolve(ctx, host)
	if err != nil {
		emit(result(CheckServer, StatusFailed, dnsWords(host, err), "Check the server name for typing mistakes, and that this computer is on the network (or the VPN your company uses)."))
		return
	}
	where := net.JoinHostPort(host, port)
	if c.cfg.Server.udp() {
		emit(result(CheckServer, StatusOK, fmt.Sprintf("%s resolves to %s. UDP has no connection to open: the registration line shows whether the server answers.", host, strings.Join(addrs, ", ")), ""))
		return
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", where)
	if err != nil {
		emit(result(CheckServer, StatusFailed, connectWords(where, err, c.cfg.Timeout), "Check the server address and port; if they are right, a firewall or proxy on this network may block the connection: ask your IT team to allow it."))
		return
	}
	_ = conn.Close()
	if net.ParseIP(host) != nil {
		emit(result(CheckServer, StatusOK, fmt.Sprintf("%s answers on port %s.", host, port), ""))
		return
	}
	emit(result(CheckServer, StatusOK, fmt.Sprintf("%s answers on port %s (%s).", host, port, strings.Join(addrs, ", ")), ""))
}

func (c *Checker) resolve(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}, nil
	}
	return c.cfg.Resolver.LookupHost(ctx, host)
}

// dnsWords says why a name did not resolve.
func dnsWords(host string, err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return fmt.Sprintf("The server name %s does not exist (DNS knows no such name).", host)
		case dnsErr.IsTimeout:
			return fmt.Sprintf("No DNS server answered for %s in time.", host)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("No DNS server answered for %s in time.", host)
	}
	return fmt.Sprintf("The server name %s could not be looked up (%v).", host, err)
}

// connectWords says why a connection failed.
func connectWords(where string, err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("Nothing answers at %s: the server refused the connection (wrong port, or the service is down).", where)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("%s did not answer within %s: the address may be wrong, or a firewall drops the connection.", where, timeout)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return fmt.Sprintf("%s cannot be reached from this network (no route).", where)
	}
	return fmt.Sprintf("%s could not be reached (%v).", where, err)
}

// checkCertificate makes a TLS handshake with the server, with the same
// trust the line uses: the pinned certificate (wazo.PinnedTLS), or the
// system's authorities. Verification is never switched off.
func (c *Checker) checkCertificate(ctx context.Context, emit func(Result)) {
	t := c.cfg.Server
	if strings.TrimSpace(t.Address) == "" {
		emit(result(CheckCertificate, StatusSkipped, "No server is configured.", ""))
		return
	}
	if !t.usesTLS() {
		emit(result(CheckCertificate, StatusSkipped, fmt.Sprintf("The line does not use TLS (transport %s), so there is no certificate to check; its signalling is not encrypted.", t.Transport), ""))
		return
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	host, port, err := t.hostPort()
	if err != nil {
		emit(result(CheckCertificate, StatusSkipped, "No server is configured.", ""))
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
			emit(result(CheckCertificate, StatusSkipped, "The server could not be reached, so its certificate was not checked.", ""))
			return
		}
		emit(result(CheckCertificate, StatusFailed, fmt.Sprintf("The secure connection failed (%v).", err), "The server may not speak TLS on this port: check the transport and port with your administrator."))
		return
	}
	fp := wazo.FormatFingerprint(sum)
	var r Result
	if mismatch {
		r = result(CheckCertificate, StatusFailed,
			"The server now presents a different certificate from the one you chose to trust (SHA-256 "+fp+").",
			"Ask your administrator whether the server's certificate was replaced; if it was not, do not connect: someone may be intercepting the connection.")
	} else {
		r = result(CheckCertificate, StatusFailed,
			"The server's certificate is not trusted by this computer ("+reason(err)+"); its SHA-256 fingerprint is "+fp+".",
			"Compare the fingerprint with the one your administrator gives you; if they match, choose to trust it when you sign in.")
	}
	r.Fingerprint = fp
	emit(r)
}

func certOK(t Target, state tls.ConnectionState) Result {
	leaf := state.PeerCertificates[0]
	fp := wazo.FormatFingerprint(sha256.Sum256(leaf.Raw))
	var r Result
	if t.Pin != nil {
		r = result(CheckCertificate, StatusOK, "The server presents the certificate you chose to trust (SHA-256 "+fp+").", "")
	} else {
		r = result(CheckCertificate, StatusOK, fmt.Sprintf("The certificate is trusted: issued to %s by %s, valid until %s.", leaf.Subject.CommonName, leaf.Issuer.CommonName, leaf.NotAfter.Format("2 January 2006")), "")
	}
	if left := time.Until(leaf.NotAfter); left < 14*24*time.Hour {
		r.Status = StatusWarning
		r.Advice = fmt.Sprintf("It expires on %s: tell your administrator to renew it.", leaf.NotAfter.Format("2 January 2006"))
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

func reason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &host):
		return "it was issued for another name"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "it has expired or is not valid yet"
	case errors.As(err, &unknown):
		return "no authority this computer knows signed it; Wazo servers use a self-signed one by default"
	}
	return "it could not be verified"
}
