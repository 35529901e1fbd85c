#!/usr/bin/python3
"""Print the summary table of a capsim results file (an example reader for h5py users).

    read_results.py FILE [SCENARIO] [--all-times]

Without SCENARIO, lists the scenarios. For each metric it prints the mean across
replications with its 95% confidence interval and the number of replications, per group;
series metrics are shown at their last snapshot time unless --all-times is given.
The layout is described in sim/results/results.h and docs/results.md ("Results").
"""
import argparse
import sys

import h5py


def fmt(x):
    return f"{x:,.4g}" if x == x else "-"  # NaN: not observed


def rows(summary, dims, time_labels, group_labels, all_times):
    """Yield (time label, group label, stats row) for a summary dataset."""
    data = summary[()]
    if dims[0] == "time":
        times = range(len(time_labels)) if all_times else [len(time_labels) - 1]
        for t in times:
            sub = data[t]
            if len(dims) == 3:
                for g, label in enumerate(group_labels):
                    yield time_labels[t], label, sub[g]
            else:
                yield time_labels[t], "", sub
    elif len(dims) == 2:
        for g, label in enumerate(group_labels):
            yield "", label, data[g]
    else:
        yield "", "", data


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("--all-times", action="store_true", help="print every snapshot time")
    args = ap.parse_args()

    with h5py.File(args.file, "r") as f:
        if f.attrs.get("format") != "capsim-results":
            sys.exit(f"{args.file}: not a capsim results file")
        names = list(f.attrs["scenarios"])
        if args.scenario is None:
            print(f"{args.file}: capsim {f.attrs['capsim_version']} "
                  f"({f.attrs['git_commit']}), {f.attrs['created_utc']}, "
                  f"{f.attrs['replications']} replications, base seed {f.attrs['base_seed']}"
                  + ("" if f.attrs["complete"] else " (incomplete)"))
            for name in names:
                mark = " (baseline)" if name == f.attrs["baseline"] else ""
                print(f"  {name}{mark}")
            return
        if args.scenario not in names:
            sys.exit(f"{args.file}: no scenario {args.scenario!r} (have: {', '.join(names)})")
        g = f["scenarios"][args.scenario]
        stats = list(g["stat"].asstr()[()])
        i_mean, i_lo, i_hi, i_n = (stats.index(s) for s in ("mean", "ci_low", "ci_high", "n"))
        time_labels = list(g["time_label"].asstr()[()])
        dim = g.attrs["group_dimension"]
        group_labels = list(g[dim].asstr()[()]) if dim else []
        print(f"scenario {args.scenario}: start {g.attrs['start_date']}, "
              f"horizon {g.attrs['horizon_days']:g} days, warm-up {g.attrs['warmup_days']:g} "
              f"days, {len(g['replication'])} replications")
        header = f"{'metric':<32} {'time':<12} {dim or '':<16} {'mean':>12} {'95% CI':>27} {'n':>5}  units"
        print(header)
        print("-" * len(header))
        for metric in g.attrs["metrics"]:
            s = g["summary"][metric]
            dims = [d.label for d in s.dims]
            for t, grp, row in rows(s, dims, time_labels, group_labels, args.all_times):
                ci = f"[{fmt(row[i_lo])}, {fmt(row[i_hi])}]"
                print(f"{metric:<32} {t:<12} {grp:<16} {fmt(row[i_mean]):>12} {ci:>27} "
                      f"{int(row[i_n]):>5}  {s.attrs['units']}")


if __name__ == "__main__":
    main()
