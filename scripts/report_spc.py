"""The report's SPC section: would a board see the change on an XmR chart, and when?

For each trust list's 52+ week waiters (or, in other models, the first series metric) and
each scenario against the baseline: the process limits come from the 12 months of the
baseline's replication 0 before the scenario's change (its first `from:` date that the
baseline does not have; else the first 12 months): a trajectory the trust would have
observed before the change (scripts/spc.py gives the rules). Every replication of the
scenario is then scanned for the first special-cause signal from the change on. The table gives the share of replications in
which the change shows within the horizon and the median months it takes; the chart shows
replication 0 of both.
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
        if at is None or at < LIMIT_MONTHS + 1:
            at = LIMIT_MONTHS + 1
        first = at - LIMIT_MONTHS
        for c, cell in enumerate(bm.cells()):
            label = "/".join(cell)
            b0 = [float(x) for x in bv[0, first:at, c]]
            mean, _, lo, hi = spc.xmr_limits(b0)
            months = []
            for r in range(xv.shape[0]):
                flags = spc.special_causes([float(x) for x in xv[r, :, c]], mean, lo, hi)
                i = spc.first_signal(flags, at)
                months.append(None if i is None else i - at + 1)
            found = sorted(m for m in months if m is not None)
            # The same limits on the baseline itself: a process still settling (a falling
            # backlog) signals without any change, and the chart cannot tell the two apart.
            alone = sum(spc.first_signal(spc.special_causes([float(x) for x in bv[r, :, c]],
                                                            mean, lo, hi), at)
                        is not None for r in range(bv.shape[0]))
            rows.append({"scenario": sc.label, "metric": bm.short, "cell": label,
                         "mean": mean, "lower": max(lo, 0.0), "upper": hi,
                         "detected": len(found), "replications": len(months),
                         "median_months": found[len(found) // 2] if found else None,
                         "baseline_signals": alone, "change": sc.dates[at],
                         "limits_from": sc.dates[first]})
            if figures and len(figs) < 6:
                x0 = [float(x) for x in xv[0, :, c]]
                flags = spc.special_causes(x0, mean, lo, hi)
                stem = os.path.join(outdir, f"spc_{sc.name}_{c}")
                figs.append((f"Figure: SPC chart, {bm.short} at {label}, {sc.label}",
                             _chart(stem, sc.dates, [float(x) for x in bv[0, :, c]], x0, mean, lo,
                                    hi, flags, f"{bm.short}, {label}: XmR chart",
                                    (base.label, sc.label), source, first, at)))
    return rows, figs
