#!/usr/bin/env bash
# Fetches Apicurio Registry's application (io.apicurio:apicurio-registry-app:<version>:tar.gz:all,
# a Quarkus app with quarkus-run.jar) from Maven Central and unpacks it into
#   ${MESHDESK_TOOLS:-~/.cache/meshdesk/tools}/apicurio-<version>
# once: the second registry the tests run the registry client against (through its Confluent
# API, /apis/ccompat/v7). Apicurio 3.3 needs Java 21 or later: the tests look for one (see
# tests/harness/apicurio.rs). Maven's local repository lives under ~/.cache/meshdesk/m2.
# Prints the folder on the last line of stdout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
dest="$MESHDESK_APICURIO_HOME"
if [ -f "$dest/.complete" ]; then
  echo "[apicurio] Apicurio Registry $APICURIO_VERSION already in $dest" >&2
  echo "$dest"
  exit 0
fi
command -v mvn >/dev/null || { echo "apicurio: mvn not found (apt-get install maven)" >&2; exit 1; }
t0=$SECONDS
m2="${MESHDESK_M2:-$HOME/.cache/meshdesk/m2}"
tmp="$dest.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/download" "$m2"
mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$m2" dependency:copy \
  -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
  -DoutputDirectory="$tmp/download" >&2
tar -xzf "$tmp/download/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$tmp"
rm -rf "$tmp/download"
[ -f "$tmp/quarkus-run.jar" ] || { echo "apicurio: the archive holds no quarkus-run.jar" >&2; exit 1; }
touch "$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "[apicurio] Apicurio Registry $APICURIO_VERSION: $(du -sh "$dest" | cut -f1) in $dest, $((SECONDS - t0)) s" >&2
echo "$dest"
