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
  "demo-snee-orthopaedics:elective_over_52_weeks_difference.png:Suffolk and North East Essex, WSFT and ESNEFT orthopaedics (seeds 000, 001)"
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
    echo
    echo "Would a board see it? The report's SPC table (\`tables/spc.csv\`; limits from the 12"
    echo "months before the change in each replication, rules on the months after it):"
    echo
    /usr/bin/python3 - "$tmp/$name-report/tables/spc.csv" <<'PY'
import csv, os, sys
if not os.path.exists(sys.argv[1]):
    print("(no SPC table: the batch has no change with 12 months of data after it)")
    sys.exit(0)
rows = list(csv.DictReader(open(sys.argv[1])))
print("| scenario | where | change | watched from | shows in | median months | baseline alone | limit months stable |")
print("|---|---|---|---|---|---|---|---|")
for r in rows[:12]:
    n = r["replications"]
    print(f"| {r['scenario']} | {r['cell']} | {r['change']} | {r['watched_from']} | {r['detected']} of {n} |"
          f" {r['median_months'] or '-'} | {r['baseline_signals']} of {n} | {r['stable_limits']} of {n} |")
if len(rows) > 12:
    print(f"\n({len(rows) - 12} more rows in the report's tables/spc.csv)")
PY
  } >> "$readme"
  if [ -f "$tmp/$name-report/tables/spc.csv" ]; then cp "$tmp/$name-report/tables/spc.csv" "$dest/spc.csv"; fi
  echo "make_examples: $name -> docs/examples/$name/" >&2
done

# The alliance's own measure: each pooled list at the end of June 2022 (pooling starts on
# 1 July) against June 2023 and against November 2022 (the last month end before the paper,
# Dec 2022), beside the reported reductions (seed 003), and paired against separate lists;
# then the same for the batch that asks how many partner-staffed lists the falls would take.
"$build/capsim" run "$root/scenarios/aha-alliance-what-it-takes.yaml" -r "$reps" -j 2 --quiet \
  --no-checkpoint -o "$tmp/aha-alliance-what-it-takes.h5" >/dev/null
/usr/bin/python3 - "$tmp/aha-alliance.h5" "$tmp/aha-alliance-what-it-takes.h5" >> "$readme" <<'PY'
import math
import sys
import h5py
import numpy as np
T975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 8: 2.365, 10: 2.262, 20: 2.093}
SEP = "aha-oral-surgery-with-ent"


def ci(x):
    x = np.asarray(x, float)
    h = T975.get(len(x), 1.96) * x.std(ddof=1) / math.sqrt(len(x))
    return f"{x.mean():+.0f}% ({x.mean() - h:+.0f} to {x.mean() + h:+.0f})"


def table(path, heading):
    f = h5py.File(path, "r")
    names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["scenarios"]]
    lists = [x.decode() if isinstance(x, bytes) else x
             for x in f[f"scenarios/{SEP}/elective/series/list"][:]]
    tl = list(f[f"scenarios/{SEP}/time_label"].asstr()[()])
    k0, k5, k12 = tl.index("2022-06-30"), tl.index("2022-11-30"), tl.index("2023-06-30")
    print(f"\n{heading} (mean over {f.attrs['replications']} replications, 95% CI):\n")
    print("| scenario | list | reported | after/before, Jun 2022 to Jun 2023 |"
          " Jun to Nov 2022 | against separate lists, Jun 2023 |")
    print("|---|---|---|---|---|---|")
    s = f[f"scenarios/{SEP}/elective/series/waiting_list_size"][:]
    for sc in names:
        w = f[f"scenarios/{sc}/elective/series/waiting_list_size"][:]
        for sp, reported in (("paediatric-ent", "-47%"), ("oral-surgery", "-44%")):
            idx = [i for i, n in enumerate(lists) if n.endswith("/" + sp)]
            p, q = w[:, :, idx].sum(axis=2), s[:, :, idx].sum(axis=2)
            paired = "-" if sc == SEP else ci(100 * (p[:, k12] / q[:, k12] - 1))
            print(f"| {sc} | {sp} | {reported} | {ci(100 * (p[:, k12] / p[:, k0] - 1))} |"
                  f" {ci(100 * (p[:, k5] / p[:, k0] - 1))} | {paired} |")


table(sys.argv[1], "Before and after, as the alliance measured (each specialty's list, all three"
      " trusts, at 30 June 2022 against 30 June 2023 and 30 November 2022)")
table(sys.argv[2], "What it would take (scenarios/aha-alliance-what-it-takes.yaml: shared-staff"
      " scenarios named count-E.count-O run E extra ENT and O extra oral surgery lists a week)")
PY
cp "$readme" "$out/README.md"
echo "make_examples: wrote docs/examples/README.md" >&2
