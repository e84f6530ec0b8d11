#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60) and prints, per target, the
# executions and whether it crashed. Not part of CI: the same properties run bounded in the
# normal suite (crates/domain/src/hostile.rs).
#
# libFuzzer needs nightly compiler flags; this uses the installed stable toolchain with
# RUSTC_BOOTSTRAP=1 and no sanitizer (a nightly toolchain cannot be downloaded on these
# machines). Crashes are kept under fuzz/artifacts/<target>/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT/fuzz"
seconds="${1:-60}"
fuzz_bin="$MESHDESK_TOOLS/cargo-fuzz/bin"
if [ ! -x "$fuzz_bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --root "$MESHDESK_TOOLS/cargo-fuzz" -j2
fi
export PATH="$fuzz_bin:$PATH" RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="$HOME/.cache/meshdesk/fuzz-target"
status=0
for target in $(cargo fuzz list); do
  log="$(mktemp)"
  # -O: release builds, as the app ships (protox-parse has debug assertions that fire on
  # malformed input such as `008`; the domain's own debug builds catch them, libFuzzer cannot).
  if cargo fuzz run "$target" -O --sanitizer none -j1 -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    result="no crash"
  else
    result="CRASHED (see fuzz/artifacts/$target)"
    status=1
  fi
  execs="$(grep -oE '^Done [0-9]+ runs' "$log" | awk '{print $2}' | tail -1 || true)"
  [ -z "$execs" ] && execs="$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)"
  echo "$target: ${execs:-0} executions in ${seconds}s, $result"
  [ "$result" = "no crash" ] || tail -30 "$log"
  rm -f "$log"
done
exit $status
