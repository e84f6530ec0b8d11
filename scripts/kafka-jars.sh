#!/usr/bin/env bash
# Fetches the Apache Kafka broker's jars from Maven Central (kafka/pom.xml) into
#   ${MESHDESK_TOOLS:-~/.cache/meshdesk/tools}/kafka-<version>/libs
# Idempotent: skips when that folder's marker file says the same POM was copied completely.
# Maven's local repository lives under ~/.cache/meshdesk/m2. Prints how long it took.
# Prints the libs folder on the last line of stdout.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$repo/kafka/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom" | head -n1)"
[ -n "$version" ] || { echo "kafka-jars: no <kafka.version> in $pom" >&2; exit 1; }
tools="${MESHDESK_TOOLS:-$HOME/.cache/meshdesk/tools}"
dest="$tools/kafka-$version/libs"
marker="$dest/.complete"
m2="${MESHDESK_M2:-$HOME/.cache/meshdesk/m2}"
# The marker holds the POM's checksum: editing the POM (another log4j, say) refetches.
want="$(sha256sum "$pom" | cut -d' ' -f1)"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
  echo "[kafka-jars] kafka $version jars already in $dest" >&2
  echo "$dest"
  exit 0
fi

command -v mvn >/dev/null || { echo "kafka-jars: mvn not found (apt-get install maven)" >&2; exit 1; }
t0=$SECONDS
tmp="$dest.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp" "$m2"
mvn -B -q -Dstyle.color=never -f "$pom" -Dmaven.repo.local="$m2" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >&2
echo "$want" >"$tmp/.complete"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
n="$(find "$dest" -name '*.jar' | wc -l)"
size="$(du -sh "$dest" | cut -f1)"
echo "[kafka-jars] kafka $version: $n jars, $size in $dest, $((SECONDS - t0)) s" >&2
echo "$dest"
