#!/usr/bin/env bash
# Prepare a machine to run or test CCS Desk: system libraries (Debian/Ubuntu, when root or
# with sudo), a virtual environment in .venv and the package with its extras.
# Usage: scripts/setup.sh [gui|test]     (default: test)
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-test}"

# Qt offscreen/xcb needs these; the tests also use poppler (pdftotext, pdftoppm, pdfsig,
# pdffonts), qpdf, age, NSS tools, the Noto fonts and makensis.
packages=(libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0
          libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
          libxcb-render-util0 libxcb-shape0)
if [ "$extra" = "test" ]; then
  packages+=(poppler-utils qpdf age libnss3-tools fonts-noto-core nsis)
fi

if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.ccsdesk-installed-$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[$extra]"
  touch "$stamp"
fi
# The compiled catalog is built from resources/locale/*/*.po, never committed (it went stale).
.venv/bin/python scripts/i18n.py compile
