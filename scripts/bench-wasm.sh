#!/usr/bin/env bash
# In wasm (release build, run in node by wasm-bindgen-test-runner): the 1,000-field JSON Schema
# check, with the Avro check of 1,000 fields as the baseline in the same run; and the policies
# over catalogs of 1,000 and 10,000 products, with the floor (no rule) in the same run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release -p meshdesk-domain --target wasm32-unknown-unknown --test json_schema_wasm_bench --test policies_wasm_bench -- --nocapture
