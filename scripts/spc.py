#!/usr/bin/python3
"""Statistical process control charts (XmR) the way NHS boards read them.

    spc.py RESULTS.h5 MODEL/METRIC --cell LABEL [--baseline B] [--scenario S]
           [--rep R] [--limits-months N] [-o chart.png] [--csv out.csv]

The chart follows NHS England's "Making Data Count" guidance: an XmR (individuals and
moving range) chart whose centre line is the mean of the baseline period and whose process
limits are mean +- 2.66 x the mean moving range (2.66 = 3 / d2, d2 = 1.128 for ranges of
two points). Special-cause variation is flagged by the rules the guidance uses:

  - astronomical: a point outside the process limits;
  - shift: 7 or more consecutive points on one side of the mean;
  - trend: 7 or more consecutive points all rising or all falling;
  - two of three: 2 of 3 consecutive points beyond 2/3 of the way to a limit, on one side.

For capsim results, the limits come from the baseline scenario's first N months (default
12) of one replication (a trajectory a trust would observe); the same months of the
collaboration scenario, replication by replication, say when a change would first show as
special cause. `months_to_detect` is summarised over replications (median and the share
detected within the horizon), so a board sees how many months of data it would take.
"""
import argparse
import itertools
import sys

D2 = 1.128
RUN = 7


def xmr_limits(values):
    """(mean, mean moving range, lower limit, upper limit) of a baseline series."""
    n = len(values)
    if n < 2:
        raise ValueError("an XmR chart needs at least two points")
    mean = sum(values) / n
    mr = sum(abs(values[i] - values[i - 1]) for i in range(1, n)) / (n - 1)
    return mean, mr, mean - 3 * mr / D2, mean + 3 * mr / D2


def special_causes(values, mean, lower, upper):
    """For each point, the rules it takes part in (a set of names), as lists."""
    n = len(values)
    flags = [set() for _ in range(n)]
    for i, v in enumerate(values):
        if v > upper or v < lower:
            flags[i].add("astronomical")
    # Shift: runs of points strictly on one side of the mean.
    for side in (1, -1):
        i = 0
        while i < n:
            j = i
            while j < n and side * (values[j] - mean) > 0:
                j += 1
            if j - i >= RUN:
                for k in range(i, j):
                    flags[k].add("shift")
            i = max(j, i + 1)
    # Trend: runs of RUN points each rising (or falling) from the one before.
    for sign in (1, -1):
        i = 0
        while i < n - 1:
            j = i
            while j + 1 < n and sign * (values[j + 1] - values[j]) > 0:
                j += 1
            if j - i + 1 >= RUN:
                for k in range(i, j + 1):
                    flags[k].add("trend")
            i = max(j, i + 1)
    # Two of three beyond 2/3 of the distance to a limit, on the same side.
    hi, lo = mean + 2 * (upper - mean) / 3, mean - 2 * (mean - lower) / 3
    for i in range(n - 2):
        window = values[i:i + 3]
        for beyond in (lambda x: x > hi, lambda x: x < lo):
            idx = [i + k for k, x in enumerate(window) if beyond(x)]
            if len(idx) >= 2:
                for k in idx:
                    flags[k].add("two_of_three")
    return [sorted(f) for f in flags]


def first_signal(flags, start=0):
    """Index of the first point from `start` that any rule flags, or None."""
    for i in range(start, len(flags)):
        if flags[i]:
            return i
    return None


def series(f, scenario, path, cell_label, rep):
    """(dates, values) of one replication's series METRIC at the cell labelled cell_label."""
    model, _, metric = path.rpartition("/")
    g = f["scenarios"][scenario]
    mg = g[model]
    d = mg["series"][metric]
    names = [x.label for x in d.dims][2:]
    labels = ["/".join(c) for c in itertools.product(*[list(mg[n].asstr()[()]) for n in names])]
    data = d[()].reshape(d.shape[0], d.shape[1], -1)
    c = labels.index(cell_label) if names else 0
    reps = list(g["replication"][()])
    r = reps.index(rep)
    return list(g["time_label"].asstr()[()]), [float(x) for x in data[r, :, c]], len(reps)


def main():
    import h5py
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("metric", help="MODEL/METRIC, a series")
    ap.add_argument("--cell", default="", help="cell label, e.g. WSFT/trauma-orthopaedics")
    ap.add_argument("--baseline", help="scenario that sets the limits (default the file's)")
    ap.add_argument("--scenario", help="the changed scenario to watch")
    ap.add_argument("--rep", type=int, default=0, help="replication shown (default 0)")
    ap.add_argument("--limits-months", type=int, default=12)
    ap.add_argument("-o", "--output", help="PNG (and a PDF beside it)")
    ap.add_argument("--csv", help="the points, limits and flags as CSV")
    args = ap.parse_args()
    with h5py.File(args.file, "r") as f:
        base = args.baseline or f.attrs["baseline"] or list(f.attrs["scenarios"])[0]
        other = args.scenario or next((s for s in f.attrs["scenarios"] if s != base), base)
        dates, b, nrep = series(f, base, args.metric, args.cell, args.rep)
        _, x, _ = series(f, other, args.metric, args.cell, args.rep)
        n0 = min(args.limits_months, len(b))
        mean, mr, lo, hi = xmr_limits(b[1:n0 + 1] if len(b) > n0 else b[:n0])
        flags = special_causes(x, mean, lo, hi)
        detect = []
        for r in range(nrep):
            _, xr, _ = series(f, other, args.metric, args.cell, r)
            i = first_signal(special_causes(xr, mean, lo, hi), n0 + 1)
            detect.append(None if i is None else i - n0)
    found = sorted(d for d in detect if d is not None)
    median = found[len(found) // 2] if found else None
    print(f"{args.metric} {args.cell}: limits from {base} months 1-{n0}: mean {mean:,.1f}, "
          f"process limits {lo:,.1f} to {hi:,.1f}")
    print(f"{other}: special cause within the horizon in {len(found)} of {len(detect)} "
          f"replications; median {median if median is not None else '-'} months after month {n0}")
    if args.csv:
        with open(args.csv, "w") as out:
            out.write("date,baseline,scenario,mean,lower,upper,flags\n")
            for d, bb, xx, fl in zip(dates, b, x, flags):
                out.write(f"{d},{bb},{xx},{mean},{lo},{hi},{'|'.join(fl)}\n")
    if args.output:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        t = range(len(x))
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.plot(t, b, color="grey", linewidth=1, label=f"{base} (baseline)")
        ax.plot(t, x, color="#005EB8", marker="o", markersize=3, linewidth=1.2, label=other)
        for i, fl in enumerate(flags):
            if fl:
                ax.plot(i, x[i], "o", color="#ED8B00", markersize=6)
        ax.axhline(mean, color="black", linewidth=1, label="mean (baseline months)")
        ax.axhline(hi, color="black", linestyle="--", linewidth=0.8, label="process limits")
        ax.axhline(lo, color="black", linestyle="--", linewidth=0.8)
        step = max(1, len(dates) // 8)
        ax.set_xticks(list(t)[::step])
        ax.set_xticklabels(dates[::step], rotation=30, fontsize="small")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{args.metric} {args.cell}: XmR chart (orange: special cause)")
        ax.legend(fontsize="x-small")
        fig.tight_layout()
        fig.savefig(args.output, dpi=150)
        fig.savefig(args.output.rsplit(".", 1)[0] + ".pdf")
        print(args.output)


if __name__ == "__main__":
    sys.exit(main())
