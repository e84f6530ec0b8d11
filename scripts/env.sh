# Shared environment for Meshdesk's scripts. Source it; it prints nothing.
# Pinned tool versions live here and nowhere else.
MESHDESK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MESHDESK_ROOT

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$MESHDESK_ROOT/kafka/pom.xml" | head -n1)"  # kafka/pom.xml pins it
TAURI_DRIVER_VERSION=2.1.0
APICURIO_VERSION=3.3.3            # Apicurio Registry: the second registry the tests run the client against
TAURI_CLI_VERSION=2.12.5           # @tauri-apps/cli (npm): the bundler of scripts/package.sh
CONFLUENT_KAFKA_PY_VERSION=2.16.1  # independent Python client for end-to-end tests
CEL_PYTHON_VERSION=0.5.0           # cel-python: the CEL interpreter confluent-kafka's rule executor runs
ODCS_PY_VERSION=3.2.0              # open-data-contract-standard: ODCS's JSON Schema and model
DATAHUB_PY_VERSION=1.7.0.17        # acryl-datahub: checks the DataHub export
OPENLINEAGE_PY_VERSION=1.54.0      # openlineage-python: the spec's model checks the lineage export
DATACONTRACT_CLI_VERSION=1.2.8     # datacontract-cli: `datacontract lint` checks the ODCS export
JSONSCHEMA_PY_VERSION=4.25.1
ASYNCAPI_PARSER_VERSION=3.4.0      # @asyncapi/parser, validates AsyncAPI exports
ASYNCAPI_AVRO_PARSER_VERSION=3.0.24
JSON_SCHEMA_DIFF_VERSION=1.0.0     # json-schema-diff, the oracle for JSON Schema compatibility
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$MESHDESK_ROOT/Cargo.lock")"

# Build output and installed tools are kept across runs on the same machine.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/meshdesk/target}"
export MESHDESK_TOOLS="${MESHDESK_TOOLS:-$HOME/.cache/meshdesk/tools}"
export MESHDESK_KAFKA_LIBS="${MESHDESK_KAFKA_LIBS:-$MESHDESK_TOOLS/kafka-$KAFKA_VERSION/libs}"
export MESHDESK_APICURIO_HOME="${MESHDESK_APICURIO_HOME:-$MESHDESK_TOOLS/apicurio-$APICURIO_VERSION}"
export MESHDESK_PYTHON="${MESHDESK_PYTHON:-$MESHDESK_TOOLS/pyclients-confluent-kafka-$CONFLUENT_KAFKA_PY_VERSION/bin/python}"
# The catalogs' own packages (DataHub, OpenLineage) in a venv of their own: their pins differ.
export MESHDESK_DATACONTRACT="${MESHDESK_DATACONTRACT:-$MESHDESK_TOOLS/datacontract-cli-$DATACONTRACT_CLI_VERSION/bin/datacontract}"
export MESHDESK_CATALOG_PYTHON="${MESHDESK_CATALOG_PYTHON:-$MESHDESK_TOOLS/pycatalogs-datahub-$DATAHUB_PY_VERSION-openlineage-$OPENLINEAGE_PY_VERSION/bin/python}"
export MESHDESK_TAURI_CLI="${MESHDESK_TAURI_CLI:-$MESHDESK_TOOLS/tauri-cli-$TAURI_CLI_VERSION/node_modules/.bin/tauri}"
export MESHDESK_NODE_MODULES="${MESHDESK_NODE_MODULES:-$MESHDESK_TOOLS/asyncapi-parser-$ASYNCAPI_PARSER_VERSION/node_modules}"
export PATH="$MESHDESK_TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin:$MESHDESK_TOOLS/tauri-driver-$TAURI_DRIVER_VERSION/bin:$HOME/.cargo/bin:$PATH"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# Queries are checked at compile time against the committed .sqlx/ data.
export SQLX_OFFLINE="${SQLX_OFFLINE:-true}"
