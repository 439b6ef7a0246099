# The two commands of the README. Each one sets up everything it needs on a fresh machine.
.PHONY: run test lint setup setup-dev pwa

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

lint:
	@bash scripts/lint.sh
