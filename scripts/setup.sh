#!/usr/bin/env bash
# Installs what Meshdesk needs and is missing; skips whatever is already present.
# Idempotent: run it as often as you like. Versions are pinned in scripts/env.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: WebKitGTK 4.1 and friends for Tauri, Xvfb and WebKitWebDriver for
#    end-to-end tests, build tools for librdkafka (bundled) and SQLite.
APT_PACKAGES=(
  build-essential pkg-config cmake curl ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev zlib1g-dev openssl libdbus-1-dev
  webkit2gtk-driver xvfb xauth imagemagick
  python3 python3-venv
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

# 2. Rust: the machine's toolchain (rustup) with the wasm32 target.
if ! command -v rustup >/dev/null || ! command -v cargo >/dev/null; then
  say "error: rustup and cargo are required (https://rustup.rs); install them and run again" >&2
  exit 1
fi
if ! cargo fmt --version >/dev/null 2>&1; then
  say "adding rustfmt"
  rustup component add rustfmt
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
else
  say "wasm32-unknown-unknown target present"
fi

# 3. The sandbox broker: nisshi (Kafka-compatible), built once (about 25 minutes on 2 cores).
if [ ! -x "$MESHDESK_NISSHI" ]; then
  if ! rustup toolchain list | grep -q "^$NISSHI_TOOLCHAIN"; then
    say "installing Rust $NISSHI_TOOLCHAIN for nisshi"
    rustup toolchain install "$NISSHI_TOOLCHAIN" --profile minimal
  fi
  say "building nisshi $NISSHI_VERSION (once; about 25 minutes on 2 cores)"
  cargo "+$NISSHI_TOOLCHAIN" install nisshi --version "$NISSHI_VERSION" --locked \
    --no-default-features --features dynostore,libsql \
    --root "$MESHDESK_TOOLS/nisshi-$NISSHI_VERSION" -j "$CARGO_BUILD_JOBS"
else
  say "nisshi $NISSHI_VERSION present"
fi

# 4. wasm-bindgen-cli at exactly the version in Cargo.lock (no --locked: its lockfile pins a
#    crate version the registry does not serve).
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features \
    --root "$MESHDESK_TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION" -j "$CARGO_BUILD_JOBS"
else
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION present"
fi

# 5. tauri-driver for end-to-end tests through the real window.
if [ ! -x "$MESHDESK_TOOLS/tauri-driver-$TAURI_DRIVER_VERSION/bin/tauri-driver" ]; then
  say "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked \
    --root "$MESHDESK_TOOLS/tauri-driver-$TAURI_DRIVER_VERSION" -j "$CARGO_BUILD_JOBS"
else
  say "tauri-driver $TAURI_DRIVER_VERSION present"
fi
# 6. confluent-kafka (Python) as an independent client for end-to-end tests: it produces Avro
#    records with its own serializer against the sandbox registry.
PYCLIENTS="$MESHDESK_TOOLS/pyclients-confluent-kafka-$CONFLUENT_KAFKA_PY_VERSION"
#    The same venv holds the ODCS validators (the standard's JSON Schema and model).
if [ ! -x "$PYCLIENTS/bin/python" ]; then
  python3 -m venv "$PYCLIENTS"
fi
if ! "$PYCLIENTS/bin/python" -c "import confluent_kafka.schema_registry.avro, open_data_contract_standard, jsonschema, yaml" 2>/dev/null; then
  say "installing confluent-kafka $CONFLUENT_KAFKA_PY_VERSION and open-data-contract-standard $ODCS_PY_VERSION (Python)"
  "$PYCLIENTS/bin/pip" install -q --disable-pip-version-check "confluent-kafka[avro,schemaregistry]==$CONFLUENT_KAFKA_PY_VERSION" \
    "open-data-contract-standard==$ODCS_PY_VERSION" "jsonschema==$JSONSCHEMA_PY_VERSION" pyyaml
else
  say "Python test clients present"
fi
#    The catalogs' packages check the DataHub and OpenLineage exports (a venv of their own).
PYCATALOGS="$(dirname "$(dirname "$MESHDESK_CATALOG_PYTHON")")"
if ! "$MESHDESK_CATALOG_PYTHON" -c "import datahub, openlineage.client" 2>/dev/null; then
  say "installing acryl-datahub $DATAHUB_PY_VERSION and openlineage-python $OPENLINEAGE_PY_VERSION (Python)"
  python3 -m venv "$PYCATALOGS"
  "$PYCATALOGS/bin/pip" install -q --disable-pip-version-check "acryl-datahub==$DATAHUB_PY_VERSION" \
    "openlineage-python==$OPENLINEAGE_PY_VERSION"
else
  say "acryl-datahub and openlineage-python present"
fi

# 7. @asyncapi/parser (Node.js) to validate AsyncAPI exports.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d "$MESHDESK_NODE_MODULES/@asyncapi/parser" ] || [ ! -d "$MESHDESK_NODE_MODULES/@asyncapi/avro-schema-parser" ] ||
  [ ! -d "$MESHDESK_NODE_MODULES/json-schema-diff" ]; then
  say "installing @asyncapi/parser $ASYNCAPI_PARSER_VERSION and json-schema-diff $JSON_SCHEMA_DIFF_VERSION"
  mkdir -p "$(dirname "$MESHDESK_NODE_MODULES")"
  (cd "$(dirname "$MESHDESK_NODE_MODULES")" && echo '{"name":"meshdesk-asyncapi-tools","private":true}' > package.json &&
    npm install --silent --no-audit --no-fund "@asyncapi/parser@$ASYNCAPI_PARSER_VERSION" \
      "@asyncapi/avro-schema-parser@$ASYNCAPI_AVRO_PARSER_VERSION" "json-schema-diff@$JSON_SCHEMA_DIFF_VERSION")
else
  say "@asyncapi/parser $ASYNCAPI_PARSER_VERSION and json-schema-diff $JSON_SCHEMA_DIFF_VERSION present"
fi
say "done"
