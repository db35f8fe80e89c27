#!/usr/bin/env bash
# Fetches an older Go SDK through the Go module proxy (golang.org/toolchain) into the
# git-ignored .cache/go/<version>, for the compatibility tests:
#
#   scripts/fetch-go.sh go1.22.12 go1.21.13
#
# Already-fetched versions are left alone.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="$(go env GOHOSTOS)-$(go env GOHOSTARCH)"
for version in "$@"; do
  dest="$repo/.cache/go/$version"
  if [[ -x "$dest/bin/go" ]]; then
    continue
  fi
  module="golang.org/toolchain@v0.0.1-$version.$arch"
  dir="$(cd /tmp && GOFLAGS=-modcacherw GOMODCACHE="$repo/.cache/gomod" GOTOOLCHAIN=local go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  rm -rf "$dest.tmp"
  mkdir -p "$(dirname "$dest")"
  cp -r "$dir" "$dest.tmp"
  chmod -R u+w "$dest.tmp"
  chmod +x "$dest.tmp/bin/"* "$dest.tmp/pkg/tool/"*/*
  mv "$dest.tmp" "$dest"
  echo "fetched $version into $dest"
done
