# The two commands of the README. Both install what is missing first.
.PHONY: run test load-check bench profile site-check

run:
	scripts/run.sh

test:
	scripts/test.sh

load-check:
	scripts/load-check.sh

bench:
	scripts/bench.sh

profile:
	scripts/profile.sh

# scripts/site.sh against cargo-leptos (which this installs first).
site-check:
	scripts/setup.sh --cargo-leptos
	scripts/site-check.sh

