// Parley is a desktop softphone for contact-centre agents on Wazo Platform
// and any SIP server. See README.md.
package main

import (
	"os"

	"github.com/parley-voip/parley/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
