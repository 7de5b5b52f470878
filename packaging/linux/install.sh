#!/usr/bin/env bash
# Installs this Qorgau folder for every user of a Linux office computer (run as root), or for
# the current user only (--user): the folder goes to /opt/qorgau (or ~/.local/opt/qorgau), the
# menu entry and icon to the system's (or the user's) applications and icon folders, and the
# `qorgau` command line beside other commands.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--user" ]; then
    PREFIX="$HOME/.local/opt/qorgau"
    SHARE="$HOME/.local/share"
    BIN="$HOME/.local/bin"
else
    [ "$(id -u)" -eq 0 ] || { echo "run as root, or with --user for this user only" >&2; exit 2; }
    PREFIX=/opt/qorgau
    SHARE=/usr/share
    BIN=/usr/local/bin
fi

mkdir -p "$PREFIX" "$SHARE/applications" "$SHARE/icons/hicolor/256x256/apps" "$BIN"
cp -a "$HERE/." "$PREFIX/"
sed "s|^Exec=.*|Exec=$PREFIX/qorgau-desktop|" "$HERE/qorgau.desktop" \
    > "$SHARE/applications/qorgau.desktop"
cp "$HERE/qorgau.png" "$SHARE/icons/hicolor/256x256/apps/qorgau.png"
ln -sf "$PREFIX/qorgau" "$BIN/qorgau"
echo "Qorgau is installed in $PREFIX; start it from the applications menu."
