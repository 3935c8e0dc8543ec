#!/usr/bin/env bash
# The main demo: installs the SDK from this checkout into .venv-demo and runs
# examples/dashboard.py, which starts the embedded CloudTower simulator and
# talks to it. Extra arguments go to the example.
#
#   bash scripts/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CLOUDTOWER_DEMO_VENV:-$ROOT/.venv-demo}"
PY="${PYTHON:-python3}"

if [ ! -f "$ROOT/examples/dashboard.py" ]; then
    echo "demo: $ROOT/examples/dashboard.py does not exist in this checkout" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
# the installed package, as a user would have it (not the checkout on sys.path)
"$VENV/bin/python" -m pip install -qq --upgrade "$ROOT"
cd "$ROOT"
exec "$VENV/bin/python" examples/dashboard.py "$@"
