# The two commands of the README. Each one sets up everything it needs on a fresh machine.
# Arguments for pytest go in ARGS: make test ARGS="tests/api -k errors -x"
.PHONY: run test lint setup setup-dev pwa
ARGS ?=

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

lint:
	@bash scripts/lint.sh
