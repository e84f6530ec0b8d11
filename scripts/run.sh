#!/usr/bin/env bash
# Installs what is missing, builds Meshdesk and starts it on the embedded local sandbox.
# Arguments are passed to the app (e.g. `--env my-cluster.toml` for a real cluster).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
scripts/setup.sh
scripts/build-ui.sh
cargo build -p meshdesk-desktop
exec "$CARGO_TARGET_DIR/debug/meshdesk" "$@"
