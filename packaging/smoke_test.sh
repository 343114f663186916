#!/bin/sh
# Smoke test of an installed Mottagning, run from outside the source tree on a temporary
# encrypted database: --version, db upgrade, queue --json and the GUI starting headless.
#   packaging/smoke_test.sh dist/mottagning/mottagning       (the PyInstaller folder)
#   packaging/smoke_test.sh /path/to/venv/bin/mottagning     (a wheel in a fresh venv)
set -eu
program="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"   # nothing of the source tree can be found from here
export MOTTAGNING_DB="sqlite:///$work/smoke.db"
# a throwaway key: there is no keyring on a headless build machine
export MOTTAGNING_DB_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"

echo "== --version"
"$program" --version
echo "== db upgrade"
"$program" db upgrade
echo "== queue --json"
queue="$("$program" queue --json)"
echo "$queue"
[ "$queue" = "[]" ] || { echo "smoke test: expected an empty queue" >&2; exit 1; }
echo "== forms check"
"$program" forms check
echo "== GUI (offscreen)"
QT_QPA_PLATFORM=offscreen timeout 120 "$program" --smoke-test
echo "smoke test passed: $program"
