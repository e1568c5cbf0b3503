# Parley — common tasks. The scripts in scripts/ do the work, so CI and
# people run the same thing.
.PHONY: all deps deps-test build run test vet bench fuzz soak package package-linux package-windows package-darwin test-packages fyne-version clean

GO          ?= go
FYNE        := $(GO) tool -modfile=tools/go.mod fyne
PKGS        ?= ./...
FUZZTIME    ?= 20s
BIN         := bin/parley

all: build

deps:                  ## build/run dependencies (Debian 12 packages)
	scripts/install-deps.sh run

deps-test:             ## run + test peers (Xvfb, PulseAudio, sipp, baresip, kamailio, ...)
	scripts/install-deps.sh test

build: deps            ## bin/parley
	mkdir -p bin
	CGO_ENABLED=1 $(GO) build $(if $(PARLEY_TAGS),-tags $(PARLEY_TAGS)) -o $(BIN) .

run:                   ## build and start (demo mode without an account); ARGS="-headless" etc.
	scripts/run.sh $(ARGS)

test:                  ## THE test command: vet + race tests against real peers
	scripts/test.sh $(PKGS)

vet:
	$(GO) vet $(PKGS)

bench:                 ## benchmarks only (no tests)
	CGO_ENABLED=1 $(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

fuzz:                  ## every Fuzz target for FUZZTIME each
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh $(PKGS)

soak:                  ## the long soak: 200 calls each way, then idle (docs/benchmarks.md)
	scripts/soak.sh

package:               ## dist/: .deb, .rpm, tar.xz, .msi, setup .exe, SHA256SUMS (docs/deploy.md)
	scripts/package.sh all

package-linux:         ## dist/: .deb, .rpm, tar.xz only
	scripts/package.sh linux

package-windows:       ## dist/: .msi and setup .exe only (mingw cross-build)
	scripts/package.sh windows

package-darwin:        ## on a Mac: dist/Parley-<v>.dmg (arm64+amd64; signs/notarises when PARLEY_APPLE_* are set)
	scripts/package-darwin.sh

test-packages:         ## build every package and check it: linters, install into a fresh Debian root, wine
	scripts/test-packages.sh

fyne-version:          ## check the fyne CLI from tools/go.mod builds and runs
	$(FYNE) version

clean:
	rm -rf bin dist build Parley.tar.xz
