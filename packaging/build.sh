#!/usr/bin/env bash
# Builds the one-folder desktop bundle dist/vigie/ from this checkout:
#   packaging/build.sh            a build venv in .venv-build (created once), PyInstaller from PyPI, the project
#   PYTHON=python3.12 packaging/build.sh    the same with another interpreter (3.11 or newer)
# Run dist/vigie/vigie to start it; packaging/check.sh builds it and starts it on Xvfb.
# Qt's system libraries (libxcb-cursor0 & co, see scripts/setup) are needed on the build machine: PyInstaller
# bundles Qt itself but not the X11/EGL/fontconfig libraries every desktop has.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=.venv-build
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "build: Vigie needs Python 3.11 or newer (set PYTHON)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q "pyinstaller>=6.10,<7" "pyinstaller-hooks-contrib>=2024.8"
# macOS: PyInstaller needs Pillow to turn the PNG app icon into an .icns (Windows: see packaging/README.md)
if [ "$(uname -s)" = Darwin ]; then "$venv/bin/python" -m pip install -q "pillow>=10"; fi
# a regular (not editable) install: the bundle gets the code and the package data the wheel would have
"$venv/bin/python" -m pip install -q --upgrade --force-reinstall --no-deps .
"$venv/bin/python" -m pip install -q .

rm -rf dist/vigie
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/vigie.spec

echo "build: $(du -sh dist/vigie | cut -f1) in dist/vigie; run dist/vigie/vigie"
