#!/usr/bin/env bash
# Installs what Meshdesk needs and is missing; skips whatever is already present.
#   scripts/setup.sh run    what running the app needs (scripts/run.sh)
#   scripts/setup.sh test   that, and the test-only tools (scripts/test.sh; the default)
# Idempotent: run it as often as you like. Versions are pinned in scripts/env.sh. Each step
# prints how long it took; downloads that do not compete for the CPU (Python and npm packages)
# run beside the compiles.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mode="${1:-test}"
case "$mode" in run | test) ;; *) echo "usage: scripts/setup.sh [run|test]" >&2; exit 2 ;; esac

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# step NAME COMMAND...: runs a step and prints its duration.
step() {
  local name="$1" t0=$SECONDS
  shift
  "$@"
  say "$(printf '%-34s %4d s' "$name" $((SECONDS - t0)))"
}
started=$SECONDS

# 1. Debian packages. Running: WebKitGTK 4.1 and friends for Tauri, build tools for librdkafka
#    (bundled) and SQLite, Node.js for the editor's bundle, a JRE and Maven for the sandbox's
#    Apache Kafka broker (its jars come from Maven Central). Testing adds Xvfb and
#    WebKitWebDriver for the end-to-end tests, xdotool (it answers save dialogs), ImageMagick and
#    Python's venv.
APT_PACKAGES=(
  build-essential pkg-config cmake curl ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  libssl-dev zlib1g-dev openssl libdbus-1-dev python3
  openjdk-17-jre-headless maven
)
if [ "$mode" = test ]; then
  APT_PACKAGES+=(webkit2gtk-driver xvfb xauth xdotool imagemagick python3-venv dpkg-dev)
fi
command -v node >/dev/null && command -v npm >/dev/null || APT_PACKAGES+=(nodejs npm)
apt_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
step "Debian packages" apt_packages

# 2. Rust: the machine's toolchain (rustup) with rustfmt and the wasm32 target.
if ! command -v rustup >/dev/null || ! command -v cargo >/dev/null; then
  say "error: rustup and cargo are required (https://rustup.rs); install them and run again" >&2
  exit 1
fi
rust_parts() {
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
}
step "Rust rustfmt and wasm32 target" rust_parts

# 3. Downloads that need little CPU, started now and awaited at the end: the test clients
#    (Python and Node.js packages). Each writes its own log; a failure stops the setup.
pids=()
names=()
logs="$(mktemp -d)"
background() {
  local name="$1"
  shift
  ( t0=$SECONDS; "$@" >"$logs/$name.log" 2>&1; rc=$?; echo "$((SECONDS - t0))" >"$logs/$name.secs"; exit $rc ) &
  pids+=($!)
  names+=("$name")
}
python_clients() {
  # confluent-kafka (Python): an independent client for end-to-end tests, with its CEL rule
  # executor (cel-python and protobuf, not the whole `rules` extra with the cloud KMS clients)
  # and the ODCS validators (the standard's JSON Schema and model).
  local venv="$MESHDESK_TOOLS/pyclients-confluent-kafka-$CONFLUENT_KAFKA_PY_VERSION"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -c "import confluent_kafka.schema_registry.avro, confluent_kafka.schema_registry.rules.cel.cel_executor, open_data_contract_standard, jsonschema, yaml" 2>/dev/null ||
    "$venv/bin/pip" install -q --disable-pip-version-check "confluent-kafka[avro,schemaregistry,protobuf]==$CONFLUENT_KAFKA_PY_VERSION" \
      "cel-python==$CEL_PYTHON_VERSION" \
      "open-data-contract-standard==$ODCS_PY_VERSION" "jsonschema==$JSONSCHEMA_PY_VERSION" pyyaml
}
datacontract_cli() {
  # datacontract-cli, in a venv of its own: `datacontract lint` on the ODCS export.
  [ -x "$MESHDESK_DATACONTRACT" ] && "$MESHDESK_DATACONTRACT" --version >/dev/null 2>&1 && return 0
  local venv
  venv="$(dirname "$(dirname "$MESHDESK_DATACONTRACT")")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "datacontract-cli==$DATACONTRACT_CLI_VERSION"
}
python_catalogs() {
  # The catalogs' own packages check the DataHub and OpenLineage exports (a venv of their own).
  local venv
  venv="$(dirname "$(dirname "$MESHDESK_CATALOG_PYTHON")")"
  "$MESHDESK_CATALOG_PYTHON" -c "import datahub, openlineage.client" 2>/dev/null && return 0
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "acryl-datahub==$DATAHUB_PY_VERSION" \
    "openlineage-python==$OPENLINEAGE_PY_VERSION"
}
node_tools() {
  # @asyncapi/parser validates AsyncAPI exports; json-schema-diff is the JSON Schema oracle.
  [ -d "$MESHDESK_NODE_MODULES/@asyncapi/parser" ] && [ -d "$MESHDESK_NODE_MODULES/@asyncapi/avro-schema-parser" ] &&
    [ -d "$MESHDESK_NODE_MODULES/json-schema-diff" ] && return 0
  mkdir -p "$(dirname "$MESHDESK_NODE_MODULES")"
  cd "$(dirname "$MESHDESK_NODE_MODULES")"
  echo '{"name":"meshdesk-asyncapi-tools","private":true}' >package.json
  npm install --silent --no-audit --no-fund "@asyncapi/parser@$ASYNCAPI_PARSER_VERSION" \
    "@asyncapi/avro-schema-parser@$ASYNCAPI_AVRO_PARSER_VERSION" "json-schema-diff@$JSON_SCHEMA_DIFF_VERSION"
}
if [ "$mode" = test ]; then
  mkdir -p "$MESHDESK_TOOLS"
  background "Python test clients" python_clients
  background "Python catalog packages" python_catalogs
  background "datacontract-cli" datacontract_cli
  background "Node.js test tools" node_tools
  # Apicurio Registry (Maven Central), the second registry of the registry client's tests.
  apicurio() { "$MESHDESK_ROOT/scripts/apicurio.sh" >/dev/null; }
  background "Apicurio Registry $APICURIO_VERSION" apicurio
fi

# 4. The sandbox broker: Apache Kafka's jars from Maven Central (kafka/pom.xml), once; a download,
#    so beside the compiles.
kafka_jars() { "$MESHDESK_ROOT/scripts/kafka-jars.sh" >/dev/null; }
mkdir -p "$MESHDESK_TOOLS"
background "Apache Kafka $KAFKA_VERSION jars" kafka_jars

# 5. wasm-bindgen-cli at exactly the version in Cargo.lock (no --locked: its lockfile pins a
#    crate version the registry does not serve).
wasm_bindgen_cli() {
  command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ] && return 0
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features \
    --root "$MESHDESK_TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION" -j "$CARGO_BUILD_JOBS"
}
step "wasm-bindgen-cli $WASM_BINDGEN_VERSION" wasm_bindgen_cli

if [ "$mode" = test ]; then
  # 6. tauri-driver for end-to-end tests through the real window.
  tauri_driver() {
    [ -x "$MESHDESK_TOOLS/tauri-driver-$TAURI_DRIVER_VERSION/bin/tauri-driver" ] && return 0
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked \
      --root "$MESHDESK_TOOLS/tauri-driver-$TAURI_DRIVER_VERSION" -j "$CARGO_BUILD_JOBS"
  }
  step "tauri-driver $TAURI_DRIVER_VERSION" tauri_driver
  # 7. The Tauri CLI (npm) for the packages (.deb, AppImage) scripts/package.sh builds.
  tauri_cli() {
    [ -x "$MESHDESK_TAURI_CLI" ] && return 0
    local dir
    dir="$(dirname "$(dirname "$(dirname "$MESHDESK_TAURI_CLI")")")"
    mkdir -p "$dir"
    (cd "$dir" && echo '{"name":"meshdesk-tauri-cli","private":true}' >package.json &&
      npm install --silent --no-audit --no-fund "@tauri-apps/cli@$TAURI_CLI_VERSION")
  }
  step "Tauri CLI $TAURI_CLI_VERSION (npm)" tauri_cli
fi

failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then
    say "$(printf '%-34s %4d s (beside the compiles)' "${names[$i]}" "$(cat "$logs/${names[$i]}.secs" 2>/dev/null || echo 0)")"
  else
    say "error: ${names[$i]} failed:"
    cat "$logs/${names[$i]}.log" >&2
    failed=1
  fi
done
rm -rf "$logs"
[ "$failed" = 0 ] || exit 1
say "$(printf '%-34s %4d s' "setup ($mode) in all" $((SECONDS - started)))"
