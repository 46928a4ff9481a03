#!/usr/bin/env bash
# Install everything the tests need, run the test suite, then the smoke eval against its floor.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh dev
# Browser tests drive Debian's Chromium (Playwright's own browser download can't work offline).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium for the browser tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
# Shared-mode tests (sessions and rate limits in Redis) start Debian's redis-server on a random loopback port.
if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing redis-server for the shared-mode tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
    || echo "warning: could not install redis-server; Redis tests will be skipped" >&2
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
# Smoke eval: the dev set in-process against a fresh index; fails below evals/floor.json.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
POLICY_DATA_DIR="$tmp/data" .venv/bin/python -m ingest --quiet --index-dir "$tmp/index"
POLICY_DATA_DIR="$tmp/data" .venv/bin/python -m evals --smoke --index-dir "$tmp/index"
