#!/usr/bin/env bash
# Builds the Leptos UI to ui/dist: wasm32 release build, then wasm-bindgen (no trunk, no downloads).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
cargo build -p meshdesk-ui --target wasm32-unknown-unknown --release
rm -rf ui/dist.tmp && mkdir -p ui/dist.tmp
wasm-bindgen --target web --no-typescript --out-dir ui/dist.tmp \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/meshdesk_ui.wasm"
cp ui/index.html ui/boot.js ui/style.css ui/dist.tmp/
# The schema editor (CodeMirror 6), bundled by esbuild at the versions in ui/editor's lockfile.
# Its node_modules live under the tools cache, one folder per lockfile, installed once.
editor_lock_sum="$(sha256sum ui/editor/package-lock.json | cut -c1-16)"
editor_modules="$MESHDESK_TOOLS/editor-$editor_lock_sum"
if [ ! -x "$editor_modules/node_modules/.bin/esbuild" ]; then
  echo "[build-ui] installing the editor's packages (CodeMirror, esbuild) from ui/editor/package-lock.json"
  mkdir -p "$editor_modules"
  cp ui/editor/package.json ui/editor/package-lock.json "$editor_modules/"
  (cd "$editor_modules" && npm ci --silent --no-audit --no-fund)
fi
NODE_PATH="$editor_modules/node_modules" "$editor_modules/node_modules/.bin/esbuild" ui/editor/src/editor.js \
  --bundle --minify --format=iife --target=safari15 --log-level=warning --outfile=ui/dist.tmp/editor.js
# Replace only if something changed, so the desktop app is not rebuilt for nothing.
if [ -d ui/dist ] && diff -qr ui/dist ui/dist.tmp >/dev/null; then
  rm -rf ui/dist.tmp
else
  rm -rf ui/dist && mv ui/dist.tmp ui/dist
  # The app embeds ui/dist when its crate compiles (tauri's generate_context!): make sure it
  # compiles again, so it never serves a stale or missing asset.
  touch src-tauri/src/main.rs
fi
echo "[build-ui] ui/dist ready"
