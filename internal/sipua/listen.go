package sipua

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"time"
)

// listenConnection opens the inbound listener of a tcp or tls line on
// localIP:cfg.LocalPort (0: an ephemeral port), so that a registrar or a
// peer can open a connection to the Contact we advertise (RFC 3261 §18.2.1:
// a UA that advertises a transport SHOULD be able to receive on it). It
// also reports whether the TLS certificate was generated.
//
// For tls it serves cfg.ListenTLS when it holds a certificate, otherwise a
// self-signed certificate made at start for localIP (what baresip and
// Linphone do without a configured one: the peer must accept it
// explicitly, but calls can reach us at all).
func listenConnection(cfg *Config, localIP string) (net.Listener, bool, error) {
	addr := net.JoinHostPort(localIP, strconv.Itoa(cfg.LocalPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, false, fmt.Errorf("sipua: listen %s on %s: %w", cfg.Transport, addr, err)
	}
	if cfg.Transport != "tls" {
		return l, false, nil
	}
	conf := cfg.ListenTLS
	generated := false
	if conf == nil || (len(conf.Certificates) == 0 && conf.GetCertificate == nil) {
		cert, err := selfSignedCertificate(localIP)
		if err != nil {
			_ = l.Close()
			return nil, false, fmt.Errorf("sipua: tls listener certificate: %w", err)
		}
		if conf == nil {
			conf = &tls.Config{MinVersion: tls.VersionTLS12}
		} else {
			conf = conf.Clone()
		}
		conf.Certificates = []tls.Certificate{cert}
		generated = true
	}
	return tls.NewListener(l, conf), generated, nil
}

// selfSignedCertificate makes a P-256 certificate for ip, valid for a year.
func selfSignedCertificate(ip string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: ip, Organization: []string{"Parley (self-signed)"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if parsed := net.ParseIP(ip); parsed != nil {
		tmpl.IPAddresses = []net.IP{parsed}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
