#!/usr/bin/env bash
# Builds the installable packages with the Tauri bundler: a .deb, and an AppImage where the
# bundler's AppImage tools can be fetched (they come from GitHub, not from a package registry).
# The sandbox broker's jars (Apache Kafka, from Maven Central) are packaged under
# /usr/lib/meshdesk/kafka/libs and the .deb depends on a Java 17 runtime, so the installed app
# starts its sandbox from the installed files. (The AppImage carries no Java runtime: its sandbox
# needs one installed.)
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
libs="$(scripts/kafka-jars.sh)"
scripts/build-ui.sh
rm -rf src-tauri/kafka-libs
mkdir -p src-tauri/kafka-libs
cp "$libs"/*.jar src-tauri/kafka-libs/
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
find "$CARGO_TARGET_DIR/release/bundle" -maxdepth 2 \( -name '*.deb' -o -name '*.AppImage' \) -newer src-tauri/kafka-libs -print
exit "$status"
