#!/usr/bin/env bash
# Set up (first time) and run the whole test suite: lint, catalogs, tests (Qt offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check src tests bench scripts
.venv/bin/python scripts/i18n.py check
exec .venv/bin/python -m pytest "$@"
