// Package windowtest drives the real Parley window: it builds the parley
// binary, runs it in demo mode on a private Xvfb display, finds the controls
// by the words on them (tesseract OCR of screenshots, no pixel coordinates),
// clicks and types with xdotool, and keeps a screenshot of every step as a
// test artefact. Its benchmark times launch-to-window against baresip's
// launch-to-ready (docs/benchmarks.md).
//
// Everything is in the _test.go files; this file only names the package.
package windowtest
