# The two commands of the README. Both install what is missing first.
.PHONY: run test load-check bench

run:
	scripts/run.sh

test:
	scripts/test.sh

load-check:
	scripts/load-check.sh

bench:
	scripts/bench.sh
