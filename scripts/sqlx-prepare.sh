#!/usr/bin/env bash
# Regenerates crates/store/.sqlx (the offline query data committed with the code) after a change
# to a query or a migration. Needs no sqlx-cli: the query macros write their data themselves when
# SQLX_OFFLINE_DIR is set during an online build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MESHDESK_ROOT"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/prepare.db" crates/store/migrations <<'PY'
import sqlite3, sys, pathlib
db = sqlite3.connect(sys.argv[1])
for f in sorted(pathlib.Path(sys.argv[2]).glob("*.sql")):
    db.executescript(f.read_text())
db.commit()
PY
rm -rf crates/store/.sqlx && mkdir -p crates/store/.sqlx
touch crates/store/src/lib.rs
SQLX_OFFLINE=false DATABASE_URL="sqlite://$tmp/prepare.db" SQLX_OFFLINE_DIR="$MESHDESK_ROOT/crates/store/.sqlx" \
  cargo check -p meshdesk-store --tests
echo "wrote $(ls crates/store/.sqlx | wc -l) query files to crates/store/.sqlx"
