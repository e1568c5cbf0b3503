package wazo

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// ErrUntrustedCertificate: the server presented a certificate this client
// does not trust, either because no trusted authority signed it (a Wazo
// stack's default certificate is self-signed) or because it is not the one
// pinned. A *CertificateError carries the certificate's fingerprint.
var ErrUntrustedCertificate = errors.New("the Wazo server's certificate is not trusted")

// CertificateError is an untrusted server certificate, with what a person
// needs to decide whether to trust it: its SHA-256 fingerprint, to compare
// with the one the administrator gives (docs/wazo.md shows how to read it on
// the server), and the names it was issued for.
type CertificateError struct {
	// SHA256 is the fingerprint of the server's own (leaf) certificate, the
	// value WithPinnedCertificate takes.
	SHA256 [sha256.Size]byte
	// Subject and DNSNames say whom the certificate was issued to.
	Subject  string
	DNSNames []string
	// Err is the verification failure: an x509 error, or
	// ErrCertificateMismatch when a different certificate was pinned.
	Err error
}

func (e *CertificateError) Error() string {
	if errors.Is(e.Err, ErrCertificateMismatch) {
		return fmt.Sprintf("%v: the server now presents a certificate with SHA-256 %s", ErrCertificateMismatch, FormatFingerprint(e.SHA256))
	}
	return fmt.Sprintf("%v (SHA-256 %s)", ErrUntrustedCertificate, FormatFingerprint(e.SHA256))
}

// Unwrap exposes ErrUntrustedCertificate and the verification failure.
func (e *CertificateError) Unwrap() []error { return []error{ErrUntrustedCertificate, e.Err} }

// newCertificateError describes cert, which failed verification with err.
func newCertificateError(cert *x509.Certificate, err error) *CertificateError {
	return &CertificateError{
		SHA256:   sha256.Sum256(cert.Raw),
		Subject:  cert.Subject.String(),
		DNSNames: cert.DNSNames,
		Err:      err,
	}
}

// certificateProblem finds an untrusted-certificate failure in err's chain
// and describes the server's certificate, or returns nil. crypto/tls wraps
// every chain failure in *tls.CertificateVerificationError, whose first
// unverified certificate is the server's own.
func certificateProblem(err error) *CertificateError {
	var ce *CertificateError
	if errors.As(err, &ce) {
		return ce
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) && len(ve.UnverifiedCertificates) > 0 {
		return newCertificateError(ve.UnverifiedCertificates[0], ve.Err)
	}
	var host x509.HostnameError
	if errors.As(err, &host) && host.Certificate != nil {
		return newCertificateError(host.Certificate, host)
	}
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) && unknown.Cert != nil {
		return newCertificateError(unknown.Cert, unknown)
	}
	return nil
}

// FormatFingerprint writes a SHA-256 fingerprint as browsers and openssl
// show it: upper-case hexadecimal bytes separated by colons.
func FormatFingerprint(sum [sha256.Size]byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, len(sum)*3-1)
	for i, b := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[b>>4], digits[b&0x0f])
	}
	return string(out)
}
