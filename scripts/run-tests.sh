#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): tox over Python 2.7 and
# 3.6-3.13, the mypy check, the lint (ruff, stubtest), the generator check, the
# packaging tests and the side-by-side wire test with the official SDK.
#
#   bash scripts/run-tests.sh                 # every environment
#   TOX_ENVS=py27,py313 bash scripts/run-tests.sh
#   CLOUDTOWER_TEST_JOBS=1 bash scripts/run-tests.sh   # environments one at a time
#
# Works on a fresh machine: it creates its own tool environment (.venv-tools) with
# tox<4 and virtualenv<20.22 (the last ones that still create 2.7 / 3.6 envs), builds
# the universal wheel once and installs that into every environment. Exits non-zero
# if any environment fails, if an environment is missing, or if no test ran.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_ENVS="py27,py36,py37,py38,py39,py310,py311,py312,py313,typecheck,lint,codegen,packaging,wire"
ENVS="${TOX_ENVS:-$ALL_ENVS}"
JOBS="${CLOUDTOWER_TEST_JOBS:-2}"
TOOLS="${CLOUDTOWER_TOOLS_VENV:-$ROOT/.venv-tools}"
WORK="$ROOT/.tox"
# the interpreters the matrix needs, as pyenv names them
PYTHONS="3.11.7 2.7.18 3.6.15 3.7.16 3.8.18 3.9.18 3.10.13 3.12.1 3.13.0"

log() { printf '[run-tests] %s\n' "$*"; }
started=$(date +%s)

# pyenv's shims answer only for the versions listed in PYENV_VERSION
if command -v pyenv >/dev/null 2>&1; then
    PYENV_ROOT="$(pyenv root)"
    export PYENV_ROOT
    versions=""
    for v in $PYTHONS; do
        if [ -x "$PYENV_ROOT/versions/$v/bin/python" ]; then
            versions="${versions:+$versions:}$v"
        else
            log "warning: pyenv has no Python $v"
        fi
    done
    export PYENV_VERSION="$versions"
    HOST_PY="$PYENV_ROOT/versions/3.11.7/bin/python"
    [ -x "$HOST_PY" ] || HOST_PY="$(command -v python3)"
else
    log "warning: no pyenv; tox looks for python2.7, python3.6, ... on PATH"
    HOST_PY="$(command -v python3)"
fi

# virtualenv seeds new environments from wheels it updates in the background;
# an update once brought pip 26, which no longer runs on 3.6-3.9 and broke
# those environments. Seed from the wheels bundled with the pinned virtualenv.
export VIRTUALENV_NO_PERIODIC_UPDATE=1
export VIRTUALENV_PIP=embed VIRTUALENV_SETUPTOOLS=embed VIRTUALENV_WHEEL=embed

# the tool environment: tox and virtualenv, pinned
if ! "$TOOLS/bin/python" -c 'import sys, tox, virtualenv
v = lambda s: tuple(int(x) for x in s.split(".")[:2])
sys.exit(not (v(tox.__version__) < (4, 0) and v(virtualenv.__version__) < (20, 22)))' 2>/dev/null; then
    log "creating $TOOLS with tox<4 and virtualenv<20.22"
    rm -rf "$TOOLS"
    "$HOST_PY" -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install -q "tox<4" "virtualenv<20.22" wheel
fi
log "tox $("$TOOLS/bin/tox" --version | cut -d' ' -f1), $("$TOOLS/bin/python" -m virtualenv --version | cut -d' ' -f1-2)"

# one universal wheel, installed into every environment
rm -rf "$WORK/dist-wheel" "$WORK"/junit-*.xml "$WORK/result.json"
mkdir -p "$WORK/dist-wheel"
"$TOOLS/bin/python" -m pip wheel -q --no-deps -w "$WORK/dist-wheel" "$ROOT"
WHEEL="$(ls "$WORK"/dist-wheel/cloudtower_sdk-*-py2.py3-none-any.whl)"
log "built $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KiB)"

# tox reuses environments and pip keeps an installed copy of the same version:
# remove the SDK from earlier runs so that every environment gets this wheel
# (not from .tox/official-*: the official releases the wire test installs and reuses)
for env_python in "$WORK"/*/bin/python; do
    [ -x "$env_python" ] || continue
    case "$env_python" in "$WORK"/official-*) continue ;; esac
    "$env_python" -m pip uninstall -q -y cloudtower-sdk >/dev/null 2>&1 || true
done

log "running tox -e $ENVS with $JOBS in parallel"
set +e
TOX_PARALLEL_NO_SPINNER=1 "$TOOLS/bin/tox" -e "$ENVS" -p "$JOBS" \
    --installpkg "$WHEEL" --result-json "$WORK/result.json"
tox_status=$?
set -e

# per-environment results, test counts from each environment's JUnit report
summary_status=0
"$TOOLS/bin/python" "$ROOT/scripts/summarize-tox.py" --envs "$ENVS" --workdir "$WORK" \
    --result-json "$WORK/result.json" > "$WORK/summary.txt" || summary_status=$?
cat "$WORK/summary.txt"

log "total time $(( $(date +%s) - started )) s"
if [ "$tox_status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then
    log "FAILED (tox exit $tox_status, summary exit $summary_status)"
    status=1
else
    log "all environments passed"
    status=0
fi
# the totals again, as the last line (CI reads the closing line)
tail -n 1 "$WORK/summary.txt"
exit "$status"
