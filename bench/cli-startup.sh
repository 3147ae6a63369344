#!/usr/bin/env bash
# Cold start and output size of `hatch article` for two builds of the CLI, interleaved in one run so the machine's
# noise falls on both alike. Usage: bench/cli-startup.sh OLD_CHECKOUT [RUNS]
# (OLD_CHECKOUT: e.g. `git worktree add /tmp/hatch-old <commit>`; both are built in Release first.)
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/cli-startup.sh OLD_CHECKOUT [RUNS]}
runs=${2:-7}
for tree in "$old" .; do dotnet build "$tree/src/Hatch.Cli" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null; done
out() { echo "$1/src/Hatch.Cli/bin/Release/net10.0"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'size: old %s, new %s\n' "$(du -sh "$(out "$old")" | cut -f1)" "$(du -sh "$(out .)" | cut -f1)"
for provider in MiniLM None; do
  : >/tmp/cli-startup-old; : >/tmp/cli-startup-new
  for _ in $(seq "$runs"); do
    for side in old new; do
      dir=$([ $side = old ] && out "$old" || out .)
      start=$(date +%s.%N)
      Hatch__Embeddings__Provider=$provider dotnet "$dir/hatch.dll" article samples/readwise.csv >/dev/null
      awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {print a - b}' >>/tmp/cli-startup-$side
    done
  done
  o=$(median </tmp/cli-startup-old); n=$(median </tmp/cli-startup-new)
  printf 'embeddings %-6s median cold start: old %.2f s, new %.2f s, new/old %.2f\n' "$provider" "$o" "$n" "$(awk -v n="$n" -v o="$o" 'BEGIN {print n / o}')"
done
