#!/usr/bin/env bash
# Builds the Go tools the tests run against pgobuild into the git-ignored .cache/tools, from
# pinned versions fetched through the Go module proxy (only exact versions: no version lists):
#
#   scripts/fetch-tools.sh        # .cache/tools/gazelle/gazelle
#
# A tool already built at its pinned version is left alone.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Gazelle, for the e2e test that builds what it writes (test/e2e/gazelle.test.ts).
GAZELLE_VERSION=v0.47.0
dir="$repo/.cache/tools/gazelle"
stamp="$dir/gazelle.version"
if [[ -x "$dir/gazelle" && "$(cat "$stamp" 2>/dev/null)" == "$GAZELLE_VERSION" ]]; then
  exit 0
fi
mkdir -p "$dir"
cd "$dir"
rm -f go.mod go.sum
cat >go.mod <<MOD
module pgobuild.local/tools/gazelle

go 1.22

require github.com/bazelbuild/bazel-gazelle $GAZELLE_VERSION
MOD
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off
go get "github.com/bazelbuild/bazel-gazelle/cmd/gazelle@$GAZELLE_VERSION"
CGO_ENABLED=0 go build -o gazelle.tmp github.com/bazelbuild/bazel-gazelle/cmd/gazelle
mv gazelle.tmp gazelle
echo "$GAZELLE_VERSION" >"$stamp"
echo "built gazelle $GAZELLE_VERSION into $dir/gazelle"
