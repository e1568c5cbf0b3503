// Package dsp holds the small signal-processing kit Parley needs around its
// codecs: tone generation (test signals, call-progress tones per ITU-T E.180
// and ETSI ES 201 970, DTMF per ITU-T Q.23), analysis that "listens" to PCM
// (Goertzel tone levels, RMS in dBFS, dominant frequency, ToneReport) and
// polyphase resampling between 48 kHz and 8 kHz for G.711.
//
// All PCM is signed 16-bit mono. Levels are expressed in dBFS relative to a
// full-scale square wave: a full-scale sine measures -3.01 dBFS and a sine of
// amplitude 0.5 measures -9.03 dBFS, the convention our test rig uses.
//
// The steady-state paths (ToneGen.Fill, CadencePlayer.Fill, Goertzel, RMS,
// Resampler Process) do not allocate; analysis types that need scratch
// memory (Spectrum) allocate it once at construction.
package dsp

// SampleRate is the internal audio rate of Parley (48 kHz, RFC 7587 §4.1's
// Opus RTP clock), used when a caller passes 0 as a rate.
const SampleRate = 48000

// FrameSamples is one 20 ms frame at SampleRate.
const FrameSamples = SampleRate / 50
