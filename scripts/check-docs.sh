#!/usr/bin/env bash
# Runs the shell examples the docs mark as runnable (a fence opened with ```bash runnable) against a fresh app,
# one app on a new SQLite file per document, so the docs cannot drift from what the app does. A block fails on a
# non-zero exit or on any non-2xx answer: curl runs with --fail-with-body. The examples' http://localhost:5080 is
# replaced by the test app's address; everything else runs as written, from the top of the checkout.
#
#   scripts/check-docs.sh                 # README.md and docs/*.md
#   scripts/check-docs.sh docs/web.md     # one document
# Ends with one line: "docs: N passed, N failed" (one per document with runnable blocks).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { echo "check-docs: $*" >&2; }
for tool in curl jq; do command -v $tool >/dev/null || { log "$tool is needed (apt install curl jq)"; exit 1; }; done

docs=("$@")
[ ${#docs[@]} -eq 0 ] && docs=(README.md docs/*.md)
app=src/Hatch.Web/bin/Release/net10.0/Hatch.Web.dll
[ -f "$app" ] || dotnet build src/Hatch.Web -c Release -nologo -v q -clp:ErrorsOnly || exit 1

passed=0; failed=0
for doc in "${docs[@]}"; do
  script=$(awk '/^```bash runnable[[:space:]]*$/ {on=1; next} /^```/ {if (on) {on=0; print ""}; next} on {print}' "$doc")
  [ -n "$script" ] || continue
  port=$(( 20000 + RANDOM % 20000 ))
  data=$(mktemp -d)
  ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" \
    ConnectionStrings__Hatch="Data Source=$data/hatch.db" Logging__LogLevel__Default=Warning \
    dotnet "$app" >"$data/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    command curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  script=${script//http:\/\/localhost:5080/http://127.0.0.1:$port}
  if timeout 300 bash -c "set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body \"\$@\"; }
$script" >"$data/out.log" 2>&1; then
    passed=$((passed + 1)); log "$doc: ok"
  else
    failed=$((failed + 1)); log "$doc: FAILED; its output:"; tail -n 30 "$data/out.log" >&2
    log "the app's log:"; tail -n 20 "$data/app.log" >&2
  fi
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$data"
done
echo "docs: $passed passed, $failed failed"
[ $failed -eq 0 ]
