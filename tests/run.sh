#!/usr/bin/env bash
# The test command: install what the tests need, then run them (arguments go to pytest).
#
#   bash tests/run.sh                      # everything, as CI runs it
#   bash tests/run.sh -m "not slow"        # the fast selection, in about half a minute
#
# The tests use a real PostgreSQL server and a real headless Chromium (Debian packages);
# they are installed here when missing and the machine allows it (root, or sudo). Without
# them those tests are skipped with a line saying why, except in CI, where they must run.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  fi
  if [ "$SUDO" != "none" ]; then
    echo "installing ${missing[*]} for the tests" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed and no root or sudo here: their tests will be skipped" >&2
  fi
fi

python -m pip install --quiet -e '.[test]'
python -m pytest -q "$@"
