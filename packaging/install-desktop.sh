#!/usr/bin/env bash
# Installs (or removes) Vigie's desktop entry, AppStream data and icons for the current user, so that Vigie
# shows up in the application menu with its icon:
#   packaging/install-desktop.sh                  Exec=vigie (pipx puts it in ~/.local/bin)
#   packaging/install-desktop.sh --exec dist/vigie/vigie      the PyInstaller bundle (made absolute)
#   packaging/install-desktop.sh --uninstall
# PREFIX (default ${XDG_DATA_HOME:-~/.local/share}) is where applications/, metainfo/ and icons/ go;
# PREFIX=/usr/local/share as root installs for every user.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
prefix=${PREFIX:-${XDG_DATA_HOME:-$HOME/.local/share}}
app_id=io.github.vigie.Vigie
exec_path=vigie
mode=install

while [ $# -gt 0 ]; do
  case $1 in
    --exec) exec_path=$2; shift 2 ;;
    --uninstall) mode=uninstall; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install-desktop: unknown option $1" >&2; exit 2 ;;
  esac
done

icons=(hicolor/scalable/apps/vigie.svg)
for f in "$root"/resources/icons/hicolor/*/*/*.png; do icons+=("${f#"$root"/resources/icons/}"); done

if [ "$mode" = uninstall ]; then
  rm -f "$prefix/applications/$app_id.desktop" "$prefix/metainfo/$app_id.metainfo.xml"
  for icon in "${icons[@]}"; do rm -f "$prefix/icons/$icon"; done
  echo "install-desktop: removed Vigie's desktop entry and icons from $prefix"
else
  if [ "$exec_path" != vigie ]; then
    exec_path=$(realpath "$exec_path")
    [ -x "$exec_path" ] || { echo "install-desktop: $exec_path is not an executable" >&2; exit 1; }
  elif ! command -v vigie >/dev/null; then
    echo "install-desktop: warning: vigie is not on PATH (pipx install . and pipx ensurepath, or --exec)" >&2
  fi
  # the desktop entry spec quotes arguments with double quotes, and escapes " ` $ \ inside them
  quoted=$(printf '%s' "$exec_path" | sed -e 's/[\\"`$]/\\\\&/g')
  [ "$exec_path" = vigie ] || quoted="\"$quoted\""
  install -d "$prefix/applications" "$prefix/metainfo" "$prefix/icons/hicolor/scalable/apps"
  sed -e "s|^Exec=vigie|Exec=$quoted|" "$here/linux/$app_id.desktop" >"$prefix/applications/$app_id.desktop"
  install -m 644 "$here/linux/$app_id.metainfo.xml" "$prefix/metainfo/"
  install -m 644 "$root/resources/icons/vigie.svg" "$prefix/icons/hicolor/scalable/apps/vigie.svg"
  for icon in "${icons[@]:1}"; do
    install -D -m 644 "$root/resources/icons/$icon" "$prefix/icons/$icon"
  done
  echo "install-desktop: installed $prefix/applications/$app_id.desktop (Exec=$quoted) and ${#icons[@]} icons"
fi
# refresh the caches only where they exist (a system prefix): a cache we created in a home folder would go stale
if [ -f "$prefix/applications/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null; then
  update-desktop-database -q "$prefix/applications" || true
fi
if [ -f "$prefix/icons/hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null; then
  gtk-update-icon-cache -q -t "$prefix/icons/hicolor" || true
fi
exit 0
