# govs — see README.md. Every target runs from a fresh clone on Debian.
GO       ?= go
PREFIX   ?= /usr/local
BINDIR   := $(PREFIX)/bin
BIN      := bin/govs
PKGS     := ./...
# Tools govs answers to when invoked through a link of that name.
TOOLS    := ovs-vsctl ovs-ofctl ovs-appctl ovs-vswitchd ovsdb-server ovsdb-tool
FUZZTIME ?= 20s

.PHONY: all build test deps vet lab bench fuzz install clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/govs

deps:
	./scripts/install-deps.sh

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# Every test, including the ones that need root, network namespaces and real
# Open vSwitch; with CI=true those fail (never skip) when they cannot run.
test: deps vet build
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -race -run 'Concurrent|Race' ./flowtable/... ./ofproto/
	$(GO) test -count=1 -race ./ofproto/connmgr/

lab: build
	./scripts/lab.sh

# Go benchmarks of the hot paths, then flow_mod throughput of govs against
# real Open vSwitch (needs root and the openvswitch packages).
bench: build
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=1s ./flowtable/... ./datapath/... ./ofproto/
	./bench/flowmod.sh 100000

# Short runs of every fuzz target (go test accepts one target per run).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

install: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/govs
	for t in $(TOOLS); do ln -sf govs $(DESTDIR)$(BINDIR)/$$t; done

clean:
	rm -rf bin
