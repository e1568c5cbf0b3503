//go:build cgo

package audio

// #include <stdlib.h>
import "C"

import "unsafe"

// cfree releases memory malgo allocated with C.CBytes (DeviceID.Pointer).
func cfree(p unsafe.Pointer) {
	if p != nil {
		C.free(p)
	}
}
