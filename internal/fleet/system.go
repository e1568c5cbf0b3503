package fleet

import "runtime"

// System loads this machine's fleet configuration from DefaultPath, beneath
// which Windows adds the values the installer wrote (see installed).
func System(getenv func(string) string) (File, error) {
	f, err := Load(DefaultPath(runtime.GOOS, getenv))
	if err != nil {
		return File{}, err
	}
	inst, err := installed()
	if err != nil {
		return File{}, err
	}
	return inst.Under(f), nil
}
