//go:build !cgo

package gui

import "github.com/parley-voip/parley/phone"

// Run reports ErrNoWindow: the desktop driver needs cgo.
func Run(_ phone.API, opts ...Option) error {
	_ = defaultRunConfig(opts)
	return ErrNoWindow
}

// RunSignIn reports ErrNoWindow: the desktop driver needs cgo.
func RunSignIn(_ Connector, _ SignIn, opts ...Option) error {
	_ = defaultRunConfig(opts)
	return ErrNoWindow
}
