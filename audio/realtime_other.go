//go:build cgo && !linux

package audio

// promoteAudioThread is a no-op where miniaudio's backend already runs its
// callback thread at a real-time class (Core Audio's IO thread, WASAPI with
// MMCSS).
func promoteAudioThread() realtimeState { return realtimeUnknown }
