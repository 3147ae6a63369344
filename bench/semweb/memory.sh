#!/usr/bin/env bash
# Web process memory with MiniLM loaded under a burst of embedding jobs (issue 7).
# Starts Hatch.Web (Release, SQLite, Hangfire in memory, Provider=MiniLM) on 127.0.0.1, imports USERS x PER highlights
# through the API as fast as it can (each import enqueues one embedding job), samples the process's RSS every 0.5 s
# until every highlight has a vector, then prints the figures. Usage: bench/semweb/memory.sh [USERS] [PER]
set -euo pipefail
USERS=${1:-8}; PER=${2:-250}; PORT=${PORT:-5077}
DIR=$(mktemp -d); trap 'kill $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
cd "$(dirname "$0")/../.."
dotnet build -c Release src/Hatch.Web -v q -nologo >/dev/null
ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Hatch="Data Source=$DIR/hatch.db" Hatch__Embeddings__Provider=${PROVIDER:-MiniLM} \
  Logging__LogLevel__Default=Warning dotnet src/Hatch.Web/bin/Release/net10.0/Hatch.Web.dll --urls "http://127.0.0.1:$PORT" >"$DIR/log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.3; done
rss() { awk '/VmRSS/{print int($2/1024)}' /proc/$PID/status; }
hwm() { awk '/VmHWM/{print int($2/1024)}' /proc/$PID/status; }
echo "RSS after start: $(rss) MB"
python3 - "$USERS" "$PER" "$DIR" <<'PY'
import json, random, sys
users, per, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
words = "sleep memory learning practice money saving interest index fund team safety trust mistake garden water soil climate carbon energy habit focus attention writing draft idea".split()
for u in range(users):
    rnd = random.Random(u)
    items = [{"text": " ".join(rnd.choice(words) for _ in range(14)).capitalize() + f" ({u}-{i}).", "source": f"Book {i % 7}"} for i in range(per)]
    json.dump(items, open(f"{d}/u{u}.json", "w"))
PY
TOKENS=()
for u in $(seq 0 $((USERS-1))); do
  E="m$u-$RANDOM@example.com"
  curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$E\",\"password\":\"Passw0rd!x\"}" "http://127.0.0.1:$PORT/api/auth/register" >/dev/null
  TOKENS+=("$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$E\",\"password\":\"Passw0rd!x\"}" "http://127.0.0.1:$PORT/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["accessToken"])')")
done
echo "RSS before imports (model not loaded yet): $(rss) MB"
( M=0; while kill -0 $PID 2>/dev/null; do R=$(rss); [ "$R" -gt "$M" ] && M=$R && echo $M >"$DIR/max"; sleep 0.2; done ) &
SAMPLER=$!
START=$(date +%s.%N)
for u in $(seq 0 $((USERS-1))); do
  curl -sf -o /dev/null -w "import $u: %{time_total}s\n" -H "Authorization: Bearer ${TOKENS[$u]}" -H 'Content-Type: application/json' \
    --data-binary "@$DIR/u$u.json" "http://127.0.0.1:$PORT/api/highlights" &
done
wait $(jobs -p | grep -v -e "^$PID$" -e "^$SAMPLER$") 2>/dev/null || true
while true; do
  PENDING=0
  for u in $(seq 0 $((USERS-1))); do
    P=$(curl -sf -H "Authorization: Bearer ${TOKENS[$u]}" "http://127.0.0.1:$PORT/api/themes" | python3 -c 'import json,sys;print(json.load(sys.stdin)["pending"])')
    PENDING=$((PENDING+P))
  done
  [ "$PENDING" -eq 0 ] && break
  sleep 2
done
END=$(date +%s.%N)
TOTAL=$((USERS*PER))
echo "embedded $TOTAL highlights in $(python3 -c "print(round($END-$START,1))") s ($(python3 -c "print(round($TOTAL/($END-$START)))")/s incl. imports and theme polling)"
kill $SAMPLER 2>/dev/null || true
echo "RSS sampled max during burst: $(cat "$DIR/max") MB; RSS at end: $(rss) MB; peak (VmHWM): $(hwm) MB"
