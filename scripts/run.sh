#!/usr/bin/env bash
# Set up (first time) and open the CCS Desk window.
# Usage: scripts/run.sh [--demo] [--data-dir DIR]
#   --demo   on first run, fill the data folder with a sample commune to try the program
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh gui
args=()
demo=0
for a in "$@"; do
  if [ "$a" = "--demo" ]; then demo=1; else args+=("$a"); fi
done
if [ "$demo" = 1 ]; then
  .venv/bin/ccsdesk "${args[@]}" demo --if-empty
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "Aucun écran graphique détecté (DISPLAY). Lancez ce script depuis une session de bureau." >&2
  exit 1
fi
exec .venv/bin/ccsdesk "${args[@]}"
