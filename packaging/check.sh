#!/usr/bin/env bash
# Builds the bundle, starts it on a private Xvfb display with a throw-away profile, waits for the window,
# takes a screenshot and quits it with Ctrl+Q; fails if any step does or if the exit code is not 0.
#   packaging/check.sh [--no-build] [SCREENSHOT.png]      (default: dist/vigie-check.png)
# Needs: xvfb and xdotool; imagemagick's `import` takes the screenshot if present, else Qt from .venv-build.
# The profile is created headless first (`vigie feeds list`), so the window opens on the seeds without the
# first-start subscription to the default feeds: the check makes no network request.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
shot=$(realpath -m "${1:-dist/vigie-check.png}")
timeout_s=${CHECK_TIMEOUT:-60}

for tool in Xvfb xdotool; do
  command -v "$tool" >/dev/null || { echo "check: $tool is missing (apt-get install xvfb xdotool)" >&2; exit 1; }
done

if [ "$build" = 1 ]; then
  start=$(date +%s)
  packaging/build.sh
  echo "check: bundle built in $(( $(date +%s) - start )) s"
fi
app=dist/vigie/vigie
[ -x "$app" ] || { echo "check: $app is missing (run packaging/build.sh)" >&2; exit 1; }

tmp=$(mktemp -d)
xvfb_pid="" app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# a free display: Xvfb picks it and writes its number to fd 3
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || { echo "check: Xvfb did not start" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$tmp/display")"
echo "check: Xvfb on $DISPLAY"

"$app" --data-dir "$tmp/profile" feeds list >/dev/null
seeds=$("$app" --data-dir "$tmp/profile" articles export | wc -l)
echo "check: the profile has $seeds seed articles"
[ "$seeds" -ge 1 ] || { echo "check: no seed in the profile" >&2; exit 1; }

QT_QPA_PLATFORM=xcb "$app" --data-dir "$tmp/profile" >"$tmp/app.log" 2>&1 &
app_pid=$!
wid=""
for _ in $(seq $((timeout_s * 5))); do
  wid=$(xdotool search --onlyvisible --name '^Vigie' 2>/dev/null | head -n1 || true)
  [ -n "$wid" ] && break
  kill -0 "$app_pid" 2>/dev/null || { echo "check: the app exited before showing its window" >&2; cat "$tmp/app.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$wid" ] || { echo "check: no Vigie window after ${timeout_s}s" >&2; cat "$tmp/app.log" >&2; exit 1; }
echo "check: window $wid: $(xdotool getwindowname "$wid")"
sleep 3  # let the list, the sidebar and the reader paint

mkdir -p "$(dirname "$shot")"
if command -v import >/dev/null; then
  import -window root "$shot"
else  # no ImageMagick: Qt from the build venv grabs the screen
  QT_QPA_PLATFORM=xcb .venv-build/bin/python -c 'import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)' "$shot"
fi
echo "check: screenshot $shot"

# Ctrl+Q (the Quit action) with the keyboard focus on the window; there is no window manager on Xvfb.
xdotool windowfocus --sync "$wid" 2>/dev/null || true
xdotool key --clearmodifiers ctrl+q
status=""
for _ in $(seq $((timeout_s * 5))); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    set +e; wait "$app_pid"; status=$?; set -e
    break
  fi
  sleep 0.2
done
app_pid_done=$app_pid
app_pid=""
if [ -z "$status" ]; then
  echo "check: the app did not quit on Ctrl+Q within ${timeout_s}s" >&2
  kill "$app_pid_done" 2>/dev/null || true
  cat "$tmp/app.log" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "check: the app exited with $status" >&2
  cat "$tmp/app.log" >&2
  exit 1
fi
if [ -s "$tmp/app.log" ]; then
  echo "check: the app wrote on stderr:" >&2
  cat "$tmp/app.log" >&2
fi
echo "check: ok (quit cleanly with exit code 0)"
