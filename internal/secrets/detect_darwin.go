package secrets

import (
	"context"
	"os"
)

// go-keyring drives the login keychain through this tool.
const securityTool = "/usr/bin/security"

func detect(context.Context) Availability {
	if _, err := os.Stat(securityTool); err != nil {
		return Availability{Reason: "The macOS keychain tool (" + securityTool + ") is missing, so Parley cannot keep your password in the keychain."}
	}
	return Availability{Available: true, Backend: "macOS keychain"}
}
