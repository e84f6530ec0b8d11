#!/usr/bin/env bash
# Installs what running needs (not the test tools), builds Meshdesk and starts it on the
# embedded local sandbox. Prints how long each step took.
#
#   scripts/run.sh                 a debug build: the soonest to a responsive window on a fresh
#                                  machine (the UI is always an optimised wasm build; the backend
#                                  compiles in about half the time of a release build and its
#                                  hot paths, the signature checks, are
#                                  optimised even in debug builds, see Cargo.toml)
#   scripts/run.sh --release       the optimised build (slower to build, faster to start)
#   scripts/run.sh -- ARGS         ARGS go to the app, e.g. `-- --env my-cluster.toml`
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
profile=debug
app_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release ;;
    --) shift; app_args+=("$@"); break ;;
    *) app_args+=("$1") ;;
  esac
  shift
done
started=$SECONDS
say() { printf '[run] %s\n' "$*"; }
timed() {
  local name="$1" t0=$SECONDS
  shift
  "$@"
  say "$(printf '%-34s %4d s' "$name" $((SECONDS - t0)))"
}
timed "setup (what running needs)" scripts/setup.sh run
timed "window code (wasm, editor)" scripts/build-ui.sh
if [ "$profile" = release ]; then
  timed "app ($profile build)" cargo build --release -p meshdesk-desktop
else
  timed "app ($profile build)" cargo build -p meshdesk-desktop
fi
say "$(printf '%-34s %4d s' "ready to start, in all" $((SECONDS - started)))"
say "the app prints its own start-up figure (from its process start to the catalog shown)"
exec "$CARGO_TARGET_DIR/$profile/meshdesk" "${app_args[@]}"
