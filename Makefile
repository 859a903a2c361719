# portwatch build and test entry points. `make check` is the whole suite
# (installs Debian test dependencies when run as root); CI runs it.
GO      ?= go
BIN     ?= bin/portwatch
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build test check lint bench bench-web fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/portwatch

# Unit tests only: no root, no lab.
test:
	$(GO) test -race -short ./...

# Everything: deps (as root), gofmt, vet, unit and namespace-lab tests with -race.
check:
	scripts/test.sh

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed; skipped"; fi

# Speed against nmap on the namespace lab (root); writes bench/results/.
bench: build
	bench/run.sh

# Dashboard, API list and /metrics server time at 10,000 endpoints (no root needed).
bench-web:
	$(GO) test -count=1 -run 'TestPagesAt10000Endpoints' -v ./internal/web/ | grep -E 'ms|ok|FAIL'
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/web/ ./internal/metrics/

# Each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin

# portwatch serve with 10,000 TCP monitors on the namespace lab for 5 minutes
# (root; MONITORS, INTERVAL, DURATION override); writes bench/results/monitors-latest.md.
bench-monitors: build
	bash bench/monitors.sh
