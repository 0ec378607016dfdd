#!/usr/bin/env bash
# Formats every tracked Java file with google-java-format (the build's check fails on drift).
#   scripts/format.sh           format in place
#   scripts/format.sh --check   list unformatted files and exit 1 if there are any (what the build runs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GJF_VERSION=1.37.0
JAR="$ROOT/target/google-java-format-$GJF_VERSION-all-deps.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && ./mvnw -B -q -N org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy \
    -Dartifact=com.google.googlejavaformat:google-java-format:$GJF_VERSION:jar:all-deps -DoutputDirectory=target >&2)
fi
mapfile -t files < <(cd "$ROOT" && find . -path ./.git -prune -o -path '*/target' -prune -o -name '*.java' -print | sort)
opens=()
for p in api code file parser tree util; do opens+=("--add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED"); done
cd "$ROOT"
if [[ "${1:-}" == "--check" ]]; then
  out="$("$JAVA" "${opens[@]}" -jar "$JAR" --dry-run "${files[@]}")"
  if [[ -n "$out" ]]; then
    echo "These files are not formatted (run scripts/format.sh):" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "google-java-format $GJF_VERSION: ${#files[@]} files formatted"
else
  "$JAVA" "${opens[@]}" -jar "$JAR" --replace "${files[@]}"
fi
