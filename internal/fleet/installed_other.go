//go:build !windows

package fleet

// installed: only the Windows installer writes settings outside the file.
func installed() (File, error) { return File{}, nil }
