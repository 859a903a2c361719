#!/usr/bin/env bash
# test.sh: the whole test suite, as the README's second command and CI run it.
# As root it first installs what the tests need (Debian packages for the lab
# daemons) via scripts/install-deps.sh; the namespace lab tests run only as
# root and skip with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -eq 0 ]]; then
	scripts/install-deps.sh
else
	echo "test.sh: not root: installing nothing; namespace lab tests will be skipped" >&2
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n "$unformatted" ]]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race"
# -p 1: packages that bring up the namespace lab must not run at once, and
# the machine has two cores.
go test -race -p 1 -timeout 25m -count=1 ./...
