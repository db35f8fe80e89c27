#!/usr/bin/env bash
# Builds the Go tools the tests run against pgobuild into the git-ignored .cache/tools, from
# pinned versions fetched through the Go module proxy (only exact versions: no version lists):
#
#   scripts/fetch-tools.sh        # .cache/tools/gazelle/gazelle
#                                 # .cache/tools/bazel-remote/bazel-remote
#                                 # .cache/tools/benchstat/benchstat
#
# A tool already built at its pinned version is left alone.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GOFLAGS=-mod=mod GOWORK=off

# build_tool NAME MODULE VERSION PACKAGE GO_DIRECTIVE: a one-require tools module in
# .cache/tools/NAME, `go get` of the exact version, the binary built as .cache/tools/NAME/NAME.
build_tool() {
  local name="$1" module="$2" version="$3" package="$4" go_directive="$5"
  local dir="$repo/.cache/tools/$name"
  local stamp="$dir/$name.version"
  if [[ -x "$dir/$name" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
    return 0
  fi
  mkdir -p "$dir"
  (
    cd "$dir"
    rm -f go.mod go.sum
    cat >go.mod <<MOD
module pgobuild.local/tools/$name

go $go_directive

require $module $version
MOD
    go get "$package@$version"
    # A per-process temp name: two concurrent runs (CI jobs, engineers) must not rename each other's.
    CGO_ENABLED=0 go build -o "$name.tmp.$$" "$package"
    mv "$name.tmp.$$" "$name"
    echo "$version" >"$stamp"
  )
  echo "built $name $version into $dir/$name"
}

# Gazelle, for the e2e test that builds what it writes (test/e2e/gazelle.test.ts).
GOTOOLCHAIN=local build_tool gazelle github.com/bazelbuild/bazel-gazelle v0.47.0 \
  github.com/bazelbuild/bazel-gazelle/cmd/gazelle 1.22

# bazel-remote, the cache server the remote-cache tests start (test/e2e/remote-cache.test.ts).
# Its go.mod says go 1.25.0, which the local SDK (1.26) satisfies.
GOTOOLCHAIN=local build_tool bazel-remote github.com/buchgr/bazel-remote/v2 v2.6.2 \
  github.com/buchgr/bazel-remote/v2 1.25.0

# benchstat, which compares the PGO and no-PGO load runs of the pgo-gain bench (bench/pgo-gain.ts).
GOTOOLCHAIN=local build_tool benchstat golang.org/x/perf v0.0.0-20250909190841-7e13e04d9366 \
  golang.org/x/perf/cmd/benchstat 1.24.0
