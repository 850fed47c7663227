# contextmap: the two commands are `make run` and `make test`.
GO      ?= go
BIN     := bin/contextmap

.PHONY: run build test test-go vet deps-test bench clean-local-db fuzz

## run: serve the Cumbria demo at http://localhost:8080 on a local PostGIS that
## this starts itself (installing Debian's postgresql-15-postgis-3 if missing).
run: build
	./$(BIN) serve --demo

build:
	$(GO) build -o $(BIN) ./cmd/contextmap

## test: every test against a real PostGIS (throwaway databases on the local
## cluster, or on CONTEXTMAP_TEST_ADMIN_URL).
test: vet deps-test
	./$(BIN) db drop-test-databases
	$(GO) test -count=1 -timeout 60m ./...
	$(MAKE) --no-print-directory fuzz

## fuzz: run every fuzz target for FUZZTIME each, mutating the committed
## corpora (testdata/fuzz/); a failing input is written there. `go test
## -fuzz` takes one target of one package at a time, hence the loop.
## FUZZTIME is a count of executions (Nx), not a duration: Go 1.26's fuzz
## coordinator can fail a duration run with "context deadline exceeded" at
## the deadline on a busy machine (golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 30000x
FUZZ := ./intel:FuzzParseGrade ./intel:FuzzParseDate \
	./intel/httpapi:FuzzParseBBox ./intel/httpapi:FuzzParseTime \
	./intel/httpapi:FuzzCheckGeometry ./intel/httpapi:FuzzDecodeStrict \
	./intel/httpapi:FuzzParseOGCBBox ./intel/httpapi:FuzzParseDatetime ./intel/httpapi:FuzzDecodeCursor \
	./intel/ingest:FuzzOpen ./intel/ingest:FuzzDecodeAgrees ./intel/oidc:FuzzVerify
fuzz:
	@set -e; log=$$(mktemp); trap 'rm -f $$log' EXIT; for t in $(FUZZ); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) >$$log 2>&1 || { cat $$log; exit 1; }; \
	done

## bench: the national load test (docs/BENCHMARKS.md): the built service on
## a copy of the national synthetic data set (loaded once, a few minutes;
## kept until `make test` drops test databases), 50 clients for 2 minutes;
## the table goes to docs/bench/load.md. LOAD_CLIENTS, LOAD_DURATION.
LOAD_CLIENTS ?= 50
LOAD_DURATION ?= 2m
bench: build
	./$(BIN) db start
	CONTEXTMAP_LOAD=1 CONTEXTMAP_LOAD_CLIENTS=$(LOAD_CLIENTS) CONTEXTMAP_LOAD_DURATION=$(LOAD_DURATION) \
	CONTEXTMAP_LOAD_REPORT=$(CURDIR)/docs/bench/load.md \
		$(GO) test -count=1 -run '^TestLoad$$' -v -timeout 80m ./intel/loadtest/

vet:
	@fmt=$$(gofmt -l cmd geo intel migrations static 2>/dev/null); if [ -n "$$fmt" ]; then echo "gofmt needed: $$fmt"; exit 1; fi
	$(GO) vet ./...

# What the tests need beyond Go: the local PostGIS cluster (started and, if
# need be, installed by the binary); GDAL, which reads the OGC API in the
# tests; for the web map's browser tests, Debian's chromium and playwright-core
# (pinned in static/e2e/package-lock.json). Tests fail, not skip, without them.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps-test: build
	./$(BIN) db start
	@command -v ogrinfo >/dev/null 2>&1 || { echo "installing gdal-bin: the tests read the OGC API with GDAL"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q gdal-bin || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q gdal-bin; }; }
	@command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
		|| { echo "the browser tests need Node.js 20 or later (node and npm on PATH)"; exit 1; }
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }
	npm ci --prefix static/e2e --no-audit --no-fund

clean-local-db: build
	./$(BIN) db remove
