#!/usr/bin/env bash
# Reliability drills (issue 8; docs/reliability.md): builds Release, then bench/Hatch.Drills starts what each drill
# needs (a private PostgreSQL cluster, the web app, `--role worker` processes, a fake model server on 127.0.0.1)
# and runs scaleout, kill9, pgrestart and faults. Each drill ends with one line
#   drill=NAME submitted=N succeeded=N failed=N duplicated=N lost=N stuck=N
# Exits non-zero if any drill lost, duplicated or left stuck a request, failed a check, or two workers reached less
# than 1.7x the rate of one. Everything started is stopped on the way out, whatever happens.
#   scripts/drills.sh            full run (1,000 requests per scale-out run, 500 in the other drills)
#   scripts/drills.sh --quick    200 requests per drill, for CI
#   other arguments go to the harness: --only kill9,faults  --requests N  --pg CONNECTION (skips pgrestart)
#                                      --min-ratio R (the scale-out target, 1.7 by default)
#                                      --model-latency-ms N (the fake model's answer time, 500 by default)
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "drills.sh: $*" >&2; }
command -v dotnet >/dev/null || { log "the .NET SDK is missing (dotnet not on PATH)"; exit 1; }
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "PostgreSQL is not installed (apt-get install postgresql)"; exit 1; }
  log "installing PostgreSQL"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || { log "could not install PostgreSQL"; exit 1; }
fi

# Everything the harness creates (PostgreSQL data, process logs) goes under one folder, so it can all be found and stopped.
work=$(mktemp -d /tmp/hatch-drills.XXXXXX)
chmod 755 "$work"
harness=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$harness" ] && kill -0 "$harness" 2>/dev/null; then
    kill -TERM -- "-$harness" 2>/dev/null; sleep 5; kill -KILL -- "-$harness" 2>/dev/null
  fi
  # A cluster the harness could not stop itself (it was killed): stop it here.
  for data in "$work"/hatch-drill-pg.*/data; do
    [ -f "$data/postmaster.pid" ] || continue
    pg_ctl=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
    else "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1; fi
  done
  rm -rf "$work"/hatch-drill-pg.*
  if [ $status -eq 0 ]; then rm -rf "$work"; else log "process logs kept in $work/logs"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building Release"
dotnet build bench/Hatch.Drills -c Release -nologo -v q -clp:ErrorsOnly || { log "build failed"; exit 1; }

started=$(date +%s)
# Its own process group, so the web app and workers it starts can be stopped with it.
TMPDIR="$work" setsid dotnet bench/Hatch.Drills/bin/Release/net10.0/Hatch.Drills.dll --logs "$work/logs" "$@" &
harness=$!
wait "$harness"
status=$?
harness=""
log "drills finished in $(( $(date +%s) - started )) s with exit code $status"
exit $status
