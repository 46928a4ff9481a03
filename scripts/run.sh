#!/usr/bin/env bash
# Install the runtime requirements and start the assistant on the bundled corpus.
# The index is built on first start (data/index); later starts reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh runtime
exec .venv/bin/python -m api "$@"
