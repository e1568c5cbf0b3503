package secrets

import "context"

// Credential Manager is part of every Windows session.
func detect(context.Context) Availability {
	return Availability{Available: true, Backend: "Windows Credential Manager"}
}
