/* Test-only stand-in for Windows' bcryptprimitives.dll, for wine 8 (Debian
 * 12), which lacks it: Go >= 1.24 programs import ProcessPrng from it at
 * start-up. Windows itself ships the real DLL; this file is never packaged.
 * RtlGenRandom is advapi32's SystemFunction036. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
