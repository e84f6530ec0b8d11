#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite: unit tests, the
# integration tests against a real broker and registry, and the end-to-end test through the
# real app window (under its own Xvfb).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
started=$SECONDS
scripts/setup.sh test
cargo fmt --all --check
scripts/build-ui.sh
# The installable .deb (a release build), for the test that unpacks and starts it. The AppImage
# needs tools the bundler fetches from GitHub: scripts/package.sh builds it where that works.
scripts/package.sh deb
# The app binary the end-to-end tests launch, alone first: its bin and test targets embed
# ui/dist through one build folder, where tauri's codegen writes each compressed asset once and
# reuses it if it exists, so the two compiled at the same time can embed a half-written file
# (seen: a window whose wasm "doesn't start with \0asm").
cargo build -p meshdesk-desktop
# One build of every target with the tests' feature set (so `cargo test` reuses it).
cargo build --all-targets
# Lints, with the workspace's set (Cargo.toml [workspace.lints]): a warning fails. After the
# builds above, so the app's embedded assets already exist when both its targets are checked.
cargo clippy --all-targets -- -D warnings
export MESHDESK_APP_BIN="$CARGO_TARGET_DIR/debug/meshdesk"
# The default members: every crate but the wasm-only UI (built above).
log="$(mktemp)"; trap 'rm -f "$log"' EXIT
cargo test --all-targets 2>&1 | tee "$log"
# The policy table and the JSON Schema evolutions again, compiled to wasm and run in node: the
# browser's verdicts are the backend's.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test -p meshdesk-domain --target wasm32-unknown-unknown --test policy_table --test json_schema_table 2>&1 | tee -a "$log"
passed=$(awk '/^test result:/ {for (i = 1; i <= NF; i++) if ($i ~ /^passed;?$/) s += $(i-1)} END {print s + 0}' "$log")
failed=$(awk '/^test result:/ {for (i = 1; i <= NF; i++) if ($i ~ /^failed;?$/) s += $(i-1)} END {print s + 0}' "$log")
echo "[test] done in $((SECONDS - started)) s"
echo "summary: $passed passed, $failed failed"
