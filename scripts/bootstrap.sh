#!/usr/bin/env bash
# Create .venv and install the pinned requirements. Re-running is cheap: a stamp file
# records the hash of the requirement files, and pip runs only when they change.
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-runtime}"   # runtime | dev
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
reqs=requirements.txt
[ "$want" = dev ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$want"
sum=$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
  echo "installing $reqs into .venv (first run takes a minute or two)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -r "$reqs"
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$sum" > "$stamp"
fi
