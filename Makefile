# Parley — common tasks. The scripts in scripts/ do the work, so CI and
# people run the same thing.
.PHONY: all deps deps-test build run test vet bench fuzz package-linux fyne-version clean

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

package-linux: deps    ## dist/Parley.tar.xz (binary, .desktop, icon) via the fyne CLI
	mkdir -p dist
	$(FYNE) package --os linux --release $(if $(PARLEY_TAGS),--tags $(PARLEY_TAGS))
	mv -f Parley.tar.xz dist/
	@echo "dist/Parley.tar.xz"

fyne-version:          ## check the fyne CLI from tools/go.mod builds and runs
	$(FYNE) version

clean:
	rm -rf bin dist Parley.tar.xz
