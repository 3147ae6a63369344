#!/usr/bin/env bash
# Runs `hatch import FILE --dry-run --output json` over the shared corpus of real export files (../shared/corpus/exports,
# or $HATCH_CORPUS) and compares each file's counts with its MANIFEST.tsv row: highlights + duplicates must equal
# highlights - empty - discarded, notes must equal notes, bookmarks must equal bookmarks. The files are not part of the
# project (most have no license); when the corpus is absent the check is skipped. Exit 1 when any file differs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${HATCH_CORPUS:-$root/../shared/corpus/exports}"
if [[ ! -f "$corpus/MANIFEST.tsv" ]]; then
  echo "corpus-check: no corpus at $corpus (set HATCH_CORPUS); skipped."
  exit 0
fi
dotnet build "$root/src/Hatch.Cli" -c Release -v quiet -nologo >/dev/null
hatch="$root/src/Hatch.Cli/bin/Release/net10.0/hatch"
python3 - "$corpus" "$hatch" <<'PY'
import csv, json, subprocess, sys
corpus, hatch = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{corpus}/MANIFEST.tsv", encoding="utf-8"), delimiter="\t"))
failed = 0
print(f"{'file':52} {'H exp':>5} {'H got':>5} {'N exp':>5} {'N got':>5} {'B exp':>5} {'B got':>5} {'skip':>4} {'trunc':>5}  ok")
for row in rows:
    path = f"{corpus}/{row['file']}"
    run = subprocess.run([hatch, "import", path, "--dry-run", "--output", "json"], capture_output=True, text=True)
    try:
        got = json.loads(run.stdout.splitlines()[0])
    except (IndexError, json.JSONDecodeError):
        got = {"highlights": 0, "duplicates": 0, "notes": 0, "bookmarks": 0, "skipped": [], "truncatedByDevice": 0}
    want_h = int(row["highlights"]) - int(row["empty"]) - int(row["discarded"])
    got_h = got["highlights"] + got["duplicates"]
    ok = (got_h, got["notes"], got["bookmarks"]) == (want_h, int(row["notes"]), int(row["bookmarks"])) and run.returncode == 0
    failed += not ok
    print(f"{row['file']:52} {want_h:5} {got_h:5} {row['notes']:>5} {got['notes']:5} {row['bookmarks']:>5} {got['bookmarks']:5} "
          f"{len(got['skipped']):4} {got['truncatedByDevice']:5}  {'yes' if ok else 'NO (exit %d) %s' % (run.returncode, run.stderr.strip()[:200])}")
    if not ok:
        # What was left out, so a difference can be judged against the file itself.
        for entry in got.get("skipped", [])[:10]:
            print(f"{'':8}not imported: line {entry.get('line')}: {entry.get('reason')}")
print(f"{len(rows) - failed} of {len(rows)} files match the manifest")
sys.exit(1 if failed else 0)
PY
