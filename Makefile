# simvid: build, run, test and measure. GNU make.
#
#   make build        static binary in bin/simvid
#   make run          install ffmpeg if missing, build, run `simvid all` on ./data
#   make test         install the test tools if missing, vet, gofmt check, go test -race
#   make bench        render speed and memory against the hand-written ffmpeg reference
#   make bench-peers  a 0.1 zoom-in show: simvid against editly 0.14.2 (installed under
#                     .bench/peers on first use: 58 min at load 2-77) and against x264 alone on
#                     the same frames (the encoder's floor); RUNS=3 interleaved (scripts/peers.sh)
#   make scale-test   the multi-process scale test (pkg/scaletest)
#   make scale-test-cluster  the same on no shared directory: object store, Redis Sentinel
#   make fuzz         every fuzz target for FUZZTIME each (default 2m); make test runs them 10 s
#   make lint         gofmt check and go vet
#   make clean        remove build output, the bench corpus and temporary files

SHELL   := bash
GO      ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/simvid/simvid/cmd.version=$(VERSION)
ADDR    ?= 127.0.0.1:8080
DATA    ?= ./data
CORPUS  ?= .bench/corpus
FUZZTIME ?= 2m
# package:target pairs; go test -fuzz takes one package and one target at a time.
FUZZ_TARGETS := ./pkg/simvid:FuzzSpec ./pkg/jsonbody:FuzzDecode ./pkg/media:FuzzSniff ./pkg/security:FuzzUpload

.PHONY: all build run test fuzz fuzz-run bench bench-peers scale-test scale-test-cluster lint fmt-check vet clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/simvid .

run:
	@scripts/install-deps.sh runtime
	@$(MAKE) --no-print-directory build
	@mkdir -p $(DATA)
	@echo "simvid $(VERSION): open http://$(patsubst :%,localhost:%,$(ADDR))/  (data in $(DATA); Ctrl-C stops it)"
	bin/simvid all --addr $(ADDR) --data-dir $(DATA)

# Every test that would skip for want of a tool fails instead under SIMVID_REQUIRE_TOOLS=1:
# the tools are installed first, so nothing is skipped here.
test: export SIMVID_REQUIRE_TOOLS := 1
test:
	@scripts/install-deps.sh test
	@$(MAKE) --no-print-directory lint
	@echo "==> go test -race"
	$(GO) test -race -count=1 -timeout 14m ./...

# Fuzzing finds new inputs only while it runs: `make fuzz` runs every target for FUZZTIME
# (CI runs them 10 s each after `make test`; `make test` itself runs their seed inputs as
# tests). A crash is written to the package's testdata/fuzz/<target>/ and fails the run.
fuzz: export SIMVID_REQUIRE_TOOLS := 1
fuzz:
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "==> fuzz $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done

bench:
	@scripts/install-deps.sh bench
	@echo "==> corpus"
	@scripts/corpus.sh $(CORPUS)
	@echo "==> benchmark (builds tmp/simvid; the reference render alone takes about 30 s)"
	SIMVID_BENCH_CORPUS=$(abspath $(CORPUS)) $(GO) test -tags bench -run TestBench -count=1 -v -timeout 60m ./pkg/bench

# Not part of test or bench: it installs Node packages and takes many minutes a run.
bench-peers:
	RUNS=$(or $(RUNS),3) scripts/peers.sh $(CORPUS)

scale-test:
	@if [ -d pkg/scaletest ]; then \
		echo "==> scale test"; \
		$(GO) test -tags scale -count=1 -v -timeout 60m ./pkg/scaletest; \
	else \
		echo "scale-test: SKIPPED: pkg/scaletest does not exist yet, so there is no scale test to run"; \
	fi

# 2 serve + 3 work, each with its own data directory, files in a versitygw bucket, Redis
# behind three sentinels (issue 19); the report adds the bytes moved to and from the store.
scale-test-cluster:
	@SIMVID_SCALE_SHAPE=cluster $(MAKE) --no-print-directory scale-test

lint: fmt-check vet

fmt-check:
	@echo "==> gofmt"
	@bad=$$(gofmt -l .); \
	if [ -n "$$bad" ]; then echo "these files need gofmt -w:"; echo "$$bad" | sed 's/^/  /'; exit 1; fi

vet:
	@echo "==> go vet"
	$(GO) vet ./...
	$(GO) vet -tags bench ./pkg/bench
	$(GO) vet -tags scale ./pkg/scaletest

clean:
	rm -rf bin tmp .bench
