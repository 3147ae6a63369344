#!/usr/bin/env bash
# The one test command (README, CI): builds the solution, starts what the tests need (a throwaway
# PostgreSQL cluster; Chromium for browser tests), runs every test project, stops what it started,
# and ends with one total line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { echo "test.sh: $*" >&2; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then log "need root to install $*; install them and rerun"; return 1; fi
  if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v dotnet >/dev/null || { log "the .NET SDK is missing (dotnet not on PATH)"; exit 1; }

# A build with the tests' databases needs about 2 GB; with less, the build fails deep in MSBuild with "No space left
# on device". Say so up front, where a reader of the log looks first.
free_mb=$(df -Pm "$root" | awk 'NR==2 {print $4}')
if [ -n "$free_mb" ] && [ "$free_mb" -lt 2048 ]; then
  log "warning: only $free_mb MB free on the disk of $root; the build and tests need about 2 GB"
fi

# --- PostgreSQL: a private cluster on a free port, so tests never touch a real database ---
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ]; then
  log "installing PostgreSQL"; apt_install postgresql || exit 1
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
pg_dir=$(mktemp -d /tmp/hatch-pg.XXXXXX)
pg_port=${HATCH_TEST_PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
chmod 700 "$pg_dir"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
  || { cat "$pg_dir/initdb.log"; log "initdb failed"; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500" start >/dev/null \
  || { cat "$pg_dir/server.log"; log "PostgreSQL did not start"; exit 1; }
stop_pg() { as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
trap stop_pg EXIT
export HATCH_TEST_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=postgres;Include Error Detail=true"
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

# --- Chromium for browser tests (Playwright drives Debian's build; its own download cannot work here) ---
if grep -rqs "Microsoft.Playwright" tests/*/*.csproj; then
  if [ ! -x /usr/bin/chromium ]; then log "installing chromium"; apt_install chromium || exit 1; fi
  export HATCH_CHROMIUM=/usr/bin/chromium
fi

# --- build once, then run every test project ---
dotnet build HatchService.sln -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

results="$root/TestResults"
rm -rf "$results"; mkdir -p "$results"
status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  log "running $name"
  dotnet test "$proj" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" || status=1
done

# --- the docs' runnable examples, against a fresh app each (scripts/check-docs.sh) ---
for tool in curl jq; do command -v $tool >/dev/null || { log "installing $tool"; apt_install $tool || exit 1; }; done
log "running the docs' examples"
docs_line=$(scripts/check-docs.sh | tail -n 1) || status=1
log "$docs_line"

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
  f=$(echo "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
  e=$(echo "$counters" | grep -o ' error="[0-9]*"' | grep -o '[0-9]*')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
# Skipped tests say why (e.g. pgvector missing on this PostgreSQL server); list them so a skip is never silent.
skipped=$(cat "$results"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*outcome="NotExecuted"[^>]*>' | grep -o 'testName="[^"]*"' | cut -d'"' -f2)
[ -n "$skipped" ] && log "skipped, each with its reason in the .trx: $(echo "$skipped" | tr '\n' ' ')"
docs_passed=$(echo "$docs_line" | grep -o '[0-9]* passed' | grep -o '[0-9]*')
docs_failed=$(echo "$docs_line" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
passed=$((passed + ${docs_passed:-0})); failed=$((failed + ${docs_failed:-1}))
# A project that crashed before writing results still counts as a failure.
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $status -eq 0 ]
