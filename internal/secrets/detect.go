package secrets

import "context"

// Availability is what Detect found.
type Availability struct {
	// Available is true when the OS keyring can be used.
	Available bool
	// Backend names the keyring found, for the settings screen
	// ("Secret Service (GNOME Keyring, KWallet…)", "macOS keychain").
	Backend string
	// Reason says, when Available is false, why, in a sentence a user can
	// read; NoKeyringChoice is what to offer next.
	Reason string
}

// NoKeyringChoice is the offer to show with an unavailable keyring's
// Reason: the two ways Parley works without one (Memory, File).
const NoKeyringChoice = "Parley can ask for your password each time it starts (nothing is saved), " +
	"or keep it in a file encrypted with a passphrase you choose, which you then type at each start instead."

// Detect reports whether the OS keyring can be used in this session. On
// Linux and the BSDs that means a D-Bus session bus on which the Secret
// Service (org.freedesktop.secrets) runs or can be started; a bare session
// (a server, a container, a window manager without a keyring daemon) has
// none. ctx bounds the D-Bus round trips.
func Detect(ctx context.Context) Availability { return detect(ctx) }
