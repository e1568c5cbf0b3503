// Package soak measures a process over many calls: its resident memory,
// live heap after a collection, goroutines, open file descriptors and the
// backlog of its event queues (internal/eventq), sampled while calls run and
// afterwards while it idles. Its tests place calls through the embedded
// Wazo stand-in (wazoline, conference) and through kamailio (phone) and
// fail when the process does not come back to where it started: the short
// soak runs in the default suite; the long one (PARLEY_SOAK=1,
// scripts/soak.sh) writes the figures docs/benchmarks.md reports.
package soak
