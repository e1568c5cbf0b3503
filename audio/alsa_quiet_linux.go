//go:build cgo && linux

package audio

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>

typedef void (*parley_alsa_handler)(const char *file, int line, const char *function, int err, const char *fmt, ...);
typedef int (*parley_set_handler)(parley_alsa_handler);

static void parley_alsa_discard(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

// parley_quiet_alsa installs a no-op error handler in the process's
// libasound. miniaudio opens the same library by the same name later, and
// dlopen hands back this instance, handler included. The library stays
// loaded on purpose: unloading it would drop the handler.
static int parley_quiet_alsa(void) {
	void *lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		return -1;
	}
	parley_set_handler set = (parley_set_handler)dlsym(lib, "snd_lib_error_set_handler");
	if (set == NULL) {
		return -1;
	}
	return set(parley_alsa_discard);
}
*/
import "C"

// quietALSA stops libasound printing its configuration errors on stderr:
// on a machine without a sound card it writes some thirty lines ("cannot
// find card '0'") while miniaudio probes devices, which Parley reports in
// one line of its own. Without libasound it does nothing.
func quietALSA() { C.parley_quiet_alsa() }
