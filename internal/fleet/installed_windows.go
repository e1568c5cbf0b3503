//go:build windows

package fleet

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// installedKey is where the MSI writes its SERVER, ACCOUNT_TYPE and
// CERTIFICATE_SHA256 properties (msiexec /i Parley.msi SERVER=...), so one
// command line configures a machine without a separate file.
const installedKey = `SOFTWARE\Parley`

// installed reads the install-time values; the fleet file wins over them.
func installed() (File, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, installedKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("%w: HKLM\\%s: %w", ErrInvalid, installedKey, err)
	}
	defer k.Close()
	var f File
	for name, dst := range map[string]*string{
		"Server":            &f.Server,
		"AccountType":       &f.AccountType,
		"CertificateSHA256": &f.CertificatePin,
	} {
		v, _, err := k.GetStringValue(name)
		if err == nil {
			*dst = v
		}
	}
	if err := f.validate(); err != nil {
		return File{}, fmt.Errorf("HKLM\\%s: %w", installedKey, err)
	}
	f.Path = `HKLM\` + installedKey
	return f, nil
}
