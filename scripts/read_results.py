#!/usr/bin/python3
"""Print the summary table of a capsim results file (an example reader for h5py users).

    read_results.py FILE [SCENARIO] [--all-times] [--comparisons]

Without SCENARIO, lists the scenarios, their models and the comparisons. For each metric of
each model it prints the mean across replications with its 95% confidence interval and the
number of replications, per cell of its dimensions; series metrics are shown at their last
snapshot time unless --all-times is given. With --comparisons, the paired differences of
SCENARIO against the baseline instead. The layout is described in docs/results.md.
"""
import argparse
import itertools
import sys

import h5py


def fmt(x):
    """Thousands separators, about four significant figures, never scientific notation."""
    if x != x:
        return "-"  # NaN: not observed
    a = abs(x)
    dp = 0 if a >= 1000 or x == 0 else 1 if a >= 100 else 2 if a >= 10 else 3 if a >= 1 else 5
    return f"{x:,.{dp}f}"


def cells(group, names):
    """Labels of every cell of the dimensions `names` (row-major), joined by '/'."""
    labels = [list(group[n].asstr()[()]) for n in names]
    return ["/".join(c) for c in itertools.product(*labels)] if names else [""]


def rows(summary, model_group, time_labels, all_times):
    """Yield (time label, cell label, stats row) for a summary dataset."""
    data = summary[()]
    dims = [d.label for d in summary.dims]
    names = [n for n in dims[:-1] if n != "time"]
    labels = cells(model_group, names)
    if dims[0] == "time":
        times = range(len(time_labels)) if all_times else [len(time_labels) - 1]
        for t in times:
            flat = data[t].reshape(len(labels), -1)
            for c, label in enumerate(labels):
                yield time_labels[t], label, flat[c]
    else:
        flat = data.reshape(len(labels), -1)
        for c, label in enumerate(labels):
            yield "", label, flat[c]


def table(where, stats_of, time_labels, title, all_times):
    stats = list(stats_of)
    i_mean, i_lo, i_hi, i_n = (stats.index(s) for s in ("mean", "ci_low", "ci_high", "n"))
    print(title)
    header = f"{'model/metric':<40} {'time':<12} {'cell':<24} {'mean':>12} {'95% CI':>27} {'n':>5}  units"
    print(header)
    print("-" * len(header))
    for model in where["models"]:
        mg = where["group"][model]
        for metric in mg.attrs["metrics"]:
            s = where["datasets"](mg, metric)
            if s is None:
                continue
            for t, cell, row in rows(s, mg, time_labels, all_times):
                ci = f"[{fmt(row[i_lo])}, {fmt(row[i_hi])}]"
                print(f"{model + '/' + metric:<40} {t:<12} {cell:<24} {fmt(row[i_mean]):>12} "
                      f"{ci:>27} {int(row[i_n]):>5}  {s.attrs['units']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--all-times", action="store_true", help="print every snapshot time")
    ap.add_argument("--comparisons", action="store_true",
                    help="the paired differences against the baseline")
    args = ap.parse_args()

    with h5py.File(args.file, "r") as f:
        if f.attrs.get("format") != "capsim-results":
            sys.exit(f"{args.file}: not a capsim results file")
        names = list(f.attrs["scenarios"])
        baseline = f.attrs["baseline"]
        if args.scenario is None:
            print(f"{args.file}: capsim {f.attrs['capsim_version']} "
                  f"({f.attrs['git_commit']}), {f.attrs['created_utc']}, "
                  f"{f.attrs['replications']} replications, base seed {f.attrs['base_seed']}"
                  + ("" if f.attrs["complete"] else " (incomplete)"))
            for name in names:
                mark = " (baseline)" if name == baseline else ""
                models = ", ".join(f["scenarios"][name].attrs["models"])
                print(f"  {name}{mark}: {models}")
            for name in f.get("comparisons", {}):
                print(f"  comparison {name}")
            return
        if args.scenario not in names:
            sys.exit(f"{args.file}: no scenario {args.scenario!r} (have: {', '.join(names)})")
        g = f["scenarios"][args.scenario]
        time_labels = list(g["time_label"].asstr()[()])
        if args.comparisons:
            key = f"{args.scenario}__vs__{baseline}"
            if "comparisons" not in f or key not in f["comparisons"]:
                sys.exit(f"{args.file}: no comparison of {args.scenario} with the baseline")
            c = f["comparisons"][key]
            where = {"models": [m for m in g.attrs["models"] if m in c], "group": c,
                     "datasets": lambda mg, m: mg[m] if m in mg else None}
            table(where, c["stat"].asstr()[()], time_labels,
                  f"{args.scenario} - {baseline}: paired differences over {c.attrs['pairs']} "
                  f"replications", args.all_times)
            return
        where = {"models": list(g.attrs["models"]), "group": g,
                 "datasets": lambda mg, m: mg["summary"][m]}
        table(where, g["stat"].asstr()[()], time_labels,
              f"scenario {args.scenario}: start {g.attrs['start_date']}, "
              f"horizon {g.attrs['horizon_days']:g} days, warm-up {g.attrs['warmup_days']:g} "
              f"days, {len(g['replication'])} replications", args.all_times)


if __name__ == "__main__":
    main()
