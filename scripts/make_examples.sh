#!/usr/bin/env bash
# docs/examples/: for each collaborative batch, run it with a few replications, write its
# report with `capsim report`, and copy the report's headline table (report.md's "Headline
# measures" section and tables/headline.csv) and one figure into docs/examples/NAME/; then
# write docs/examples/README.md linking them, with the spread of mean waits between trusts
# from the report's tables. Nothing here is typed by hand: rerun after a scenario changes.
#
#   scripts/make_examples.sh [BUILD_DIR] [REPLICATIONS]     (defaults: build, 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
reps=${2:-5}
out=$root/docs/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# batch : figure (from the report's figures/) : title
examples=(
  "black-country:elective_waiting_list_size_difference.png:Black Country Provider Collaborative (seed 002)"
  "working-together:elective_waiting_list_size_difference.png:Working Together Partnership (seed 004)"
  "aha-alliance:elective_waiting_list_size.png:Acute Hospitals Alliance, paediatric ENT and oral surgery (seed 003)"
)

mkdir -p "$out"
readme=$tmp/README.md
{
  echo "# Examples: the collaboratives as scenarios"
  echo
  echo "Made by \`scripts/make_examples.sh\` ($reps replications a scenario, $("$build/capsim" --version 2>/dev/null | head -1 || true)):"
  echo "each batch in scenarios/ run, \`capsim report\` written, its headline table and one"
  echo "figure copied here. Every input is sourced or marked as an assumption in the scenario"
  echo "files; the numbers are illustrations of the method, not forecasts."
} > "$readme"

for entry in "${examples[@]}"; do
  IFS=: read -r name figure title <<< "$entry"
  "$build/capsim" run "$root/scenarios/$name.yaml" -r "$reps" -j 2 --quiet --no-checkpoint \
    -o "$tmp/$name.h5" >/dev/null
  "$build/capsim" report "$tmp/$name.h5" -o "$tmp/$name-report" >/dev/null
  dest=$out/$name
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$tmp/$name-report/figures/$figure" "$dest/"
  cp "$tmp/$name-report/tables/headline.csv" "$dest/headline.csv"
  # The "Headline measures" section of report.md, up to the next section.
  awk '/^## Headline measures/{on=1} /^## / && !/^## Headline measures/{on=0} on' \
    "$tmp/$name-report/report.md" > "$dest/headline.md"
  {
    echo
    echo "## $title"
    echo
    echo "Batch \`scenarios/$name.yaml\`. Headline table: [headline.md]($name/headline.md)"
    echo "([CSV]($name/headline.csv)). Figure:"
    echo
    echo "![$title]($name/$figure)"
    echo
    echo "Spread of mean waits of treated patients between a specialty's trusts"
    echo "(\`wait_spread_between_trusts\`, weeks; mean and 95% CI over $reps replications; the"
    echo "model averages it over the batch's specialties, so a change to one specialty of eight"
    echo "moves it by an eighth of that specialty's change):"
    echo
    /usr/bin/python3 - "$tmp/$name-report/tables" <<'PY'
import csv, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(d + "/summary.csv")) if r["metric"] == "wait_spread_between_trusts"]
print("| scenario | spread | 95% CI |\n|---|---|---|")
for r in rows:
    print(f"| {r['scenario']} | {float(r['mean']):.2f} | {float(r['ci_low']):.2f} to {float(r['ci_high']):.2f} |")
rows = [r for r in csv.DictReader(open(d + "/comparisons.csv")) if r["metric"] == "wait_spread_between_trusts"]
print("\n| paired difference from the baseline | mean | 95% CI |\n|---|---|---|")
for r in rows:
    print(f"| {r['scenario']} | {float(r['mean']):.2f} | {float(r['ci_low']):.2f} to {float(r['ci_high']):.2f} |")
PY
  } >> "$readme"
  echo "make_examples: $name -> docs/examples/$name/" >&2
done

# The alliance's own measure: each pooled list at the end of June 2022 (pooling starts on
# 1 July) against June 2023, beside the reported reductions (seed 003).
/usr/bin/python3 - "$tmp/aha-alliance.h5" >> "$readme" <<'PY'
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
def lists(s):
    return [x.decode() if isinstance(x, bytes) else x
            for x in f[f"scenarios/{s}/elective/series/list"][:]]
sep, pool = "aha-oral-surgery-with-ent", "aha-oral-surgery-with-ent-pooled"
print("\nBefore and after, as the alliance measured (list at 30 June 2022 against 30 June 2023,"
      " all three trusts; mean over the replications):\n")
print("| list | reported | pooled, after/before | separate, after/before | pooled against separate, June 2023 |")
print("|---|---|---|---|---|")
for sp, reported in (("paediatric-ent", "-47%"), ("oral-surgery", "-44%")):
    idx = [i for i, n in enumerate(lists(pool)) if n.endswith("/" + sp)]
    p = f[f"scenarios/{pool}/elective/series/waiting_list_size"][:][:, :, idx].sum(axis=2)
    s = f[f"scenarios/{sep}/elective/series/waiting_list_size"][:][:, :, idx].sum(axis=2)
    print(f"| {sp} | {reported} | {100 * (p[:, 15] / p[:, 3] - 1).mean():+.0f}% |"
          f" {100 * (s[:, 15] / s[:, 3] - 1).mean():+.0f}% | {100 * (p[:, 15] / s[:, 15] - 1).mean():+.0f}% |")
PY
cp "$readme" "$out/README.md"
echo "make_examples: wrote docs/examples/README.md" >&2
