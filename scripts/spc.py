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

For capsim results, as Making Data Count judges a change: in every replication the limits
come from the N months (default 12) before the change (`--change YYYY-MM-DD`, default month
N + 1) of the baseline scenario, which under common random numbers is the changed
scenario's own history until then, and the rules are applied to the months from the change
on. It prints the share of replications in which the change shows, the median months until
it shows (a shift or trend shows only at its seventh point), the share in which the
baseline alone signals (false alarms: a process still moving), and the share whose limit
months were a stable process.
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


def months_to_signal(values, mean, lower, upper):
    """The number of points a board must have seen before a special cause shows: 1 + the
    index of the point that completes the first signal (a shift or trend shows only at its
    seventh point, two of three at the second point beyond), or None. The rules judge only
    these points, so a run must lie wholly inside them."""
    for k in range(1, len(values) + 1):
        if any(special_causes(values[:k], mean, lower, upper)):
            return k
    return None


def baseline_then_watch(before, after, limit_points):
    """Making Data Count's use of a chart for a change: the mean and process limits come from
    the last `limit_points` points of the period before the change, the rules are then applied
    to the points after it. Returns a dict: mean, lower, upper; stable (no special cause among
    the limit points themselves, so the limits describe a stable process); months (points
    after the change until a signal shows, or None)."""
    base = list(before[-limit_points:])
    mean, _, lo, hi = xmr_limits(base)
    return {"mean": mean, "lower": lo, "upper": hi,
            "stable": not any(special_causes(base, mean, lo, hi)),
            "months": months_to_signal(list(after), mean, lo, hi)}


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
    ap.add_argument("--change", help="first date of the change (YYYY-MM-DD)")
    ap.add_argument("-o", "--output", help="PNG (and a PDF beside it)")
    ap.add_argument("--csv", help="the points, limits and flags as CSV")
    args = ap.parse_args()
    n0 = args.limits_months
    with h5py.File(args.file, "r") as f:
        base = args.baseline or f.attrs["baseline"] or list(f.attrs["scenarios"])[0]
        other = args.scenario or next((s for s in f.attrs["scenarios"] if s != base), base)
        dates, b, nrep = series(f, base, args.metric, args.cell, args.rep)
        _, x, _ = series(f, other, args.metric, args.cell, args.rep)
        at = next((k for k, d in enumerate(dates) if args.change and d >= args.change), n0 + 1)
        at = max(at, n0 + 1)
        if at >= len(dates):
            raise SystemExit(f"spc.py: no month after the change {dates[min(at, len(dates)) - 1]}")
        watched, alarms, stable = [], 0, 0
        for r in range(nrep):
            _, br, _ = series(f, base, args.metric, args.cell, r)
            _, xr, _ = series(f, other, args.metric, args.cell, r)
            w = baseline_then_watch(br[:at], xr[at:], n0)
            watched.append(w["months"])
            stable += w["stable"]
            alarms += baseline_then_watch(br[:at], br[at:], n0)["months"] is not None
        w0 = baseline_then_watch(b[:at], x[at:], n0)
        mean, lo, hi = w0["mean"], w0["lower"], w0["upper"]
        flags = [[] for _ in range(at)] + special_causes(x[at:], mean, lo, hi)
    found = sorted(d for d in watched if d is not None)
    median = found[len(found) // 2] if found else None
    print(f"{args.metric} {args.cell}: limits from {base} {dates[at - n0]} to {dates[at - 1]} "
          f"(replication {args.rep}): mean {mean:,.1f}, process limits {lo:,.1f} to {hi:,.1f}")
    print(f"{other}: special cause from {dates[at]} within the horizon in {len(found)} of "
          f"{nrep} replications; median {median if median is not None else '-'} months; "
          f"the baseline alone in {alarms} of {nrep}; limit months stable in {stable} of {nrep}")
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
