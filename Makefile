# Samsa — the two commands a user needs are `make run` and `make test`; each sets itself up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup build test unit integration lint bench run stop clean

help:
	@echo "make run    - install what is missing, build, start ZooKeeper and three brokers"
	@echo "make test   - install what is missing, build, run every test suite"
	@echo "make bench  - run the benchmarks (figures go to BENCHMARKS.md)"

setup:
	@./scripts/setup.sh

build: setup
	@node packages/protocol/scripts/build-native.mjs
	@npx tsc -b

test: build
	@npx tsc -p tsconfig.test.json
	@npx eslint --max-warnings=0 .
	@./scripts/test.sh

unit: build
	@npx jest --selectProjects unit

integration: build
	@npx jest --selectProjects integration --runInBand

lint: setup
	@npx eslint .

bench: build
	@node --import tsx tests/bench/run.ts $(BENCH)

run: build
	@./scripts/run.sh

stop:
	@./scripts/stop.sh 2>/dev/null || true

clean: stop
	rm -rf .samsa packages/*/dist
