#!/usr/bin/env bash
# Set up the project: a .venv with Python >= 3.12 and the package installed (editable, with
# the dev extras). Safe to run again: it returns at once when everything is already in place.
#
#   bash scripts/setup.sh          # what `make demo` / `make test` run first
#   PYTHON=/path/to/python3.12 bash scripts/setup.sh   # use this interpreter
#
# Finds an interpreter by itself: $PYTHON, then python3.12 / python3.13 / python3 on PATH,
# then pyenv's installed versions, then `uv python find`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.cascade-installed"
NEED="3.12"

say() { printf 'setup: %s\n' "$*" >&2; }

# A usable interpreter: runs, is >= 3.12 and can create virtual environments with pip.
usable() {
    "$1" - <<'PY' >/dev/null 2>&1
import sys
if sys.version_info < (3, 12):
    raise SystemExit(1)
import ensurepip, venv  # noqa: F401  (Debian splits these into python3.X-venv)
PY
}

find_python() {
    local candidate root
    if [[ -n "${PYTHON:-}" ]]; then
        usable "$PYTHON" && echo "$PYTHON"
        return
    fi
    for candidate in python3.12 python3.13 python3; do
        # pyenv shims exist for every installed version but fail unless it is selected:
        # usable() runs them, so a failing shim is simply skipped.
        if command -v "$candidate" >/dev/null 2>&1 && usable "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1 && root="$(pyenv root 2>/dev/null)"; then
        for candidate in "$root"/versions/3.12*/bin/python3.12 "$root"/versions/3.13*/bin/python3.13 \
                         "$root"/versions/3.1[4-9]*/bin/python3; do
            if [[ -x "$candidate" ]] && usable "$candidate"; then
                echo "$candidate"
                return 0
            fi
        done
    fi
    if command -v uv >/dev/null 2>&1; then
        candidate="$(uv python find ">=$NEED" 2>/dev/null || true)"
        if [[ -n "$candidate" ]] && usable "$candidate"; then
            echo "$candidate"
            return 0
        fi
    fi
    return 1
}

version_of() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])'; }

# 1. the virtual environment
if [[ -x "$VENV/bin/python" ]] && usable "$VENV/bin/python"; then
    : # keep it
else
    if [[ -n "${PYTHON:-}" ]] && ! usable "$PYTHON"; then
        say "PYTHON=$PYTHON is not a Python >= $NEED with the venv and ensurepip modules"
        exit 1
    fi
    if ! PY="$(find_python)"; then
        say "Python >= $NEED is needed (Mesa 3.4+ requires it) and none was found."
        say "Install one, e.g. 'pyenv install 3.12', 'uv python install 3.12', or your system's"
        say "python3.12 and python3.12-venv packages; or point to one: PYTHON=/path/to/python3.12"
        exit 1
    fi
    if [[ -e "$VENV" ]]; then
        say "replacing $VENV (its Python is missing or older than $NEED)"
        "$PY" -m venv --clear "$VENV"
    else
        say "creating $VENV with Python $(version_of "$PY") ($PY)"
        "$PY" -m venv "$VENV"
    fi
fi

# 2. the package, editable, with pytest and ruff; skipped while the stamp is newer than
#    pyproject.toml and the console script exists
if [[ -f "$STAMP" && "$STAMP" -nt pyproject.toml && -x "$VENV/bin/cascade" ]]; then
    exit 0
fi
say "installing the package and its dependencies into $VENV (pip install -e '.[dev]')"
LOG="$VENV/.cascade-install.log"
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check -e '.[dev]' >"$LOG" 2>&1; then
    tail -n 40 "$LOG" >&2
    say "pip install failed (last lines above; full log in $LOG)"
    exit 1
fi
touch "$STAMP"
say "ready: $VENV/bin/cascade, $VENV/bin/python -m pytest"
