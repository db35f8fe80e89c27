#!/usr/bin/env bash
# Regenerates the PGO profiles of the example monorepo's services: the
# repeatable way to produce examples/cmd/<svc>/default.pgo.
#
#   scripts/profile-examples.sh                       # all: mdserver searchd logworker
#   scripts/profile-examples.sh mdserver              # just one
#   PROFILE_DURATION=5 PROFILE_OUT_DIR=/tmp/pgo scripts/profile-examples.sh
#
# For each HTTP service it builds the service and its load driver with
# `go build -trimpath -pgo=off` (a profile must come from a binary that was
# not itself built with the profile), starts the service on 127.0.0.1 with
# -cpuprofile, runs the load driver for a fixed duration, stops the service
# with SIGTERM (it flushes the profile during graceful shutdown) and copies
# the profile to $PROFILE_OUT_DIR/<svc>/default.pgo. For the batch worker
# the load is a generated access log that logworker reprocesses for the same
# duration.
#
# cmd/mdrender is deliberately not profiled here: its default.pgo is the Go
# blog's own profile of that service (provenance in cmd/mdrender/README.md),
# kept byte for byte.
#
# Environment:
#   PROFILE_DURATION      seconds of load per service (default 20)
#   PROFILE_CONCURRENCY   concurrent clients of the load drivers (default 8)
#   PROFILE_OUT_DIR       output root (default: examples/cmd of this repo)
#   LOGWORKER_LINES       lines of generated access log (default 300000, ~70 MB)
#   GO                    go command (default: go)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
examples="$repo/examples"
duration="${PROFILE_DURATION:-20}"
concurrency="${PROFILE_CONCURRENCY:-8}"
out_root="${PROFILE_OUT_DIR:-$examples/cmd}"
log_lines="${LOGWORKER_LINES:-300000}"
go_cmd="${GO:-go}"

all_targets=(mdserver searchd logworker)
if (($# > 0)); then
  targets=("$@")
else
  targets=("${all_targets[@]}")
fi
for t in "${targets[@]}"; do
  case "$t" in
    mdserver | searchd | logworker) ;;
    mdrender)
      echo "profile-examples: mdrender keeps the Go blog's profile (see examples/cmd/mdrender/README.md); it is not regenerated here" >&2
      exit 2
      ;;
    *)
      echo "profile-examples: unknown target '$t' (want one of: ${all_targets[*]})" >&2
      exit 2
      ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/profile-examples.XXXXXX")"
server_pid=""
cleanup() {
  # Only the server this script started, by its PID.
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }

# build <package>... : builds commands without PGO into $work/bin.
build() {
  local pkgs=()
  for p in "$@"; do pkgs+=("./cmd/$p"); done
  log "building ${*} (-trimpath -pgo=off)"
  (cd "$examples" && CGO_ENABLED=0 "$go_cmd" build -trimpath -pgo=off -o "$work/bin/" "${pkgs[@]}")
}

# install_profile <svc> <raw profile>: checks and copies the profile.
install_profile() {
  local svc="$1" raw="$2"
  if [[ ! -s "$raw" ]]; then
    echo "profile-examples: $svc wrote no profile" >&2
    exit 1
  fi
  mkdir -p "$out_root/$svc"
  cp "$raw" "$out_root/$svc/default.pgo"
  log "$svc: wrote $out_root/$svc/default.pgo ($(wc -c <"$raw") bytes)"
}

# wait_for_address <stdout file> <stderr file>: prints the address from the
# service's first line, "listening on <addr>".
wait_for_address() {
  local out="$1" err="$2" line=""
  for _ in $(seq 1 600); do
    if [[ -s "$out" ]]; then
      line="$(head -n 1 "$out")"
      if [[ "$line" == "listening on "* ]]; then
        printf '%s\n' "${line#listening on }"
        return 0
      fi
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "profile-examples: service exited before listening:" >&2
      cat "$err" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "profile-examples: service did not announce its address within 60s (first line: '$line')" >&2
  return 1
}

# profile_service <svc> <load driver> [load driver flags...]
profile_service() {
  local svc="$1" driver="$2"
  shift 2
  build "$svc" "$driver"
  local raw="$work/$svc.pprof"
  log "$svc: starting with -cpuprofile"
  "$work/bin/$svc" -addr 127.0.0.1:0 -cpuprofile "$raw" >"$work/$svc.out" 2>"$work/$svc.err" &
  server_pid=$!
  local addr
  addr="$(wait_for_address "$work/$svc.out" "$work/$svc.err")"
  log "$svc: listening on $addr; running $driver for ${duration}s"
  "$work/bin/$driver" -addr "$addr" -duration "${duration}s" -concurrency "$concurrency" "$@"
  log "$svc: stopping with SIGTERM"
  kill -TERM "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  if ((status != 0)); then
    echo "profile-examples: $svc exited with status $status:" >&2
    cat "$work/$svc.err" >&2
    exit 1
  fi
  install_profile "$svc" "$raw"
}

profile_logworker() {
  build logworker
  local input="$work/access.log" raw="$work/logworker.pprof"
  log "logworker: generating $log_lines access log lines"
  "$work/bin/logworker" -generate "$log_lines" -seed 1 -out "$input"
  log "logworker: processing for ${duration}s with -cpuprofile"
  "$work/bin/logworker" -in "$input" -out "$work/report.json" -min-duration "${duration}s" -cpuprofile "$raw"
  install_profile logworker "$raw"
}

for t in "${targets[@]}"; do
  case "$t" in
    mdserver) profile_service mdserver mdserver-load ;;
    searchd) profile_service searchd searchd-load ;;
    logworker) profile_logworker ;;
  esac
done
log "done"
