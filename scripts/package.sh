#!/usr/bin/env bash
# Builds the installable packages with the Tauri bundler: a .deb, and an AppImage where the
# bundler's AppImage tools can be fetched (they come from GitHub, not from a package registry).
# The sandbox broker (nisshi) is packaged beside the app (`/usr/bin/nisshi`), so the installed
# app starts its sandbox from the installed files.
#
#   scripts/package.sh             .deb and AppImage
#   scripts/package.sh deb         the .deb only
# Output: $CARGO_TARGET_DIR/release/bundle/{deb,appimage}/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
targets="${1:-deb,appimage}"
say() { printf '[package] %s\n' "$*"; }
[ -x "$MESHDESK_TAURI_CLI" ] || { say "the Tauri CLI is missing: run scripts/setup.sh test"; exit 1; }
[ -x "$MESHDESK_NISSHI" ] || { say "the sandbox broker is missing: run scripts/setup.sh"; exit 1; }
scripts/build-ui.sh
# The bundler takes external binaries named for the target triple and installs them without it.
triple="$(rustc -vV | awk '/^host:/ {print $2}')"
mkdir -p src-tauri/binaries
cp "$MESHDESK_NISSHI" "src-tauri/binaries/nisshi-$triple"
bundle() {
  (cd src-tauri && "$MESHDESK_TAURI_CLI" build --ci --config tauri.bundle.json --bundles "$1")
}
t0=$SECONDS
status=0
if [[ ",$targets," == *",deb,"* ]]; then
  bundle deb
  say "the .deb is built ($((SECONDS - t0)) s)"
fi
if [[ ",$targets," == *",appimage,"* ]]; then
  # The bundler downloads linuxdeploy and the AppImage runtime from GitHub into ~/.cache/tauri
  # the first time; placed there by hand, they are used offline.
  if ! bundle appimage; then
    say "the AppImage could not be built: the bundler's AppImage tools (linuxdeploy, from GitHub) could not be fetched or run; see above"
    status=3
  fi
fi
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 \( -name '*.deb' -o -name '*.AppImage' \) -newer "src-tauri/binaries/nisshi-$triple" -print
exit "$status"
