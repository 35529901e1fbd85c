"""The report's SPC section: would a board see the change on an XmR chart, and when?

As NHS England's Making Data Count uses a chart to judge a change: for each trust list's 52+
week waiters (or, in other models, the first series metric) and each scenario against the
baseline, the mean and process limits come from the 12 months before the scenario's change
(its first `from:` date that the baseline does not have; when fewer than 12 months precede
it, the first 12 months, and the watch starts after them), separately in every replication
(the trajectory that trust would have observed); the rules (scripts/spc.py) are then applied
to the months from the change on. The table gives the share of replications in which the
change shows within the horizon and the median months until it shows (a shift or a trend
shows at its seventh point); the same test on the baseline scenario, which has no change, is
the share of false alarms; and the share of replications whose limit months are themselves
a stable process (no special cause among them), without which the limits mean little. The
chart shows replication 0 of both.
"""
import os

import numpy as np

import report_data as rd
import spc

LIMIT_MONTHS = 12


def _metric(sc):
    for key in (("elective", "over_52_weeks"), ("elective", "waiting_list_size")):
        if key in sc.metrics:
            return sc.metrics[key]
    for m in sc.metrics.values():
        if m.kind == "series" and m.model != "inputs":
            return m
    return None


def _chart(path, dates, base, other, mean, lo, hi, flags, title, labels, source, first, at):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 14 / 3))  # 1200 x 700 at 150 dpi, as every figure
    t = np.arange(len(other))
    ax.plot(t, base, color="#768692", linewidth=1, label=f"{labels[0]} (baseline)")
    ax.plot(t, other, color="#005EB8", marker="o", markersize=3, linewidth=1.2, label=labels[1])
    sig = [i for i, f in enumerate(flags) if f and i >= at]
    ax.plot(sig, [other[i] for i in sig], "o", color="#ED8B00", markersize=6,
            label="special cause (from the change)")
    ax.axhline(mean, color="black", linewidth=1, label="mean of the baseline months")
    ax.axhline(hi, color="black", linestyle="--", linewidth=0.8, label="process limits")
    ax.axhline(max(lo, 0), color="black", linestyle="--", linewidth=0.8)
    ax.axvspan(first, at - 1, color="#E8EDEE", zorder=0, label="months that set the limits")
    step = max(1, len(dates) // 8)
    ax.set_xticks(t[::step])
    ax.set_xticklabels(dates[::step], rotation=30, fontsize="small")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="x-small", ncol=2)
    fig.text(0.01, 0.01, source, fontsize="x-small", color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path + ".png", dpi=150)
    fig.savefig(path + ".pdf")
    import matplotlib.pyplot as plt2
    plt2.close(fig)
    return path + ".png"


def section(res, outdir, source, figures=True):
    """(rows for the table, [(title, png)]) or ([], []) when there is nothing to compare."""
    if not res.baseline or len(res.scenarios) < 2:
        return [], []
    base = next(s for s in res.scenarios if s.name == res.baseline)
    bm = _metric(base)
    if bm is None or len(base.dates) < LIMIT_MONTHS + 4:
        return [], []
    rows, figs = [], []
    os.makedirs(outdir, exist_ok=True)
    bv = bm.flat_values()                      # [rep, time, cell]
    for sc in res.scenarios:
        if sc.name == res.baseline or (bm.model, bm.name) not in sc.metrics:
            continue
        xv = sc.metrics[(bm.model, bm.name)].flat_values()
        if xv.shape[1:] != bv.shape[1:]:
            continue
        # The month of the change: its first `from:` date the baseline lacks.
        changes = sorted(set(rd.policy_dates(sc.yaml)) - set(rd.policy_dates(base.yaml)))
        at = next((k for k, d in enumerate(sc.dates) if changes and d >= changes[0]), None)
        change = sc.dates[at] if at is not None else None
        if at is None or at < LIMIT_MONTHS + 1:
            at = LIMIT_MONTHS + 1              # too early: watched only after 12 months
        if at >= len(sc.dates):
            continue
        first = at - LIMIT_MONTHS
        for c, cell in enumerate(bm.cells()):
            label = "/".join(cell)
            watch, alone = [], []
            for r in range(xv.shape[0]):
                # Limits from the months before the change: under common random numbers the
                # baseline's replication r is the scenario's own history until the change.
                before = [float(x) for x in bv[r, first:at, c]]
                watch.append(spc.baseline_then_watch(
                    before, [float(x) for x in xv[r, at:, c]], LIMIT_MONTHS))
                alone.append(spc.baseline_then_watch(
                    before, [float(x) for x in bv[r, at:, c]], LIMIT_MONTHS))
            found = sorted(w["months"] for w in watch if w["months"] is not None)
            w0 = watch[0]
            mean, lo, hi = w0["mean"], w0["lower"], w0["upper"]
            rows.append({"scenario": sc.label, "metric": bm.short, "cell": label,
                         "mean": mean, "lower": max(lo, 0.0), "upper": hi,
                         "detected": len(found), "replications": len(watch),
                         "median_months": found[len(found) // 2] if found else None,
                         "baseline_signals": sum(a["months"] is not None for a in alone),
                         "stable_limits": sum(w["stable"] for w in watch),
                         "change": change or sc.dates[at], "watched_from": sc.dates[at],
                         "limits_from": sc.dates[first]})
            if figures and len(figs) < 6:
                x0 = [float(x) for x in xv[0, :, c]]
                # Judged as the table judges: the rules see only the months from the change.
                flags = [[] for _ in range(at)] + spc.special_causes(x0[at:], mean, lo, hi)
                stem = os.path.join(outdir, f"spc_{sc.name}_{c}")
                figs.append((f"Figure: SPC chart, {bm.short} at {label}, {sc.label}",
                             _chart(stem, sc.dates, [float(x) for x in bv[0, :, c]], x0, mean, lo,
                                    hi, flags, f"{bm.short}, {label}: XmR chart",
                                    (base.label, sc.label), source, first, at)))
    return rows, figs
