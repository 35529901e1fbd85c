"""Figures for scripts/report.py: fan charts, paired differences, utilisation, other models.

Every figure is FIG_W x FIG_H pixels (PNG) with a PDF beside it, plain titles, units, dates on
the axis, y from zero for counts and shares, one panel per trust (cell), one line per
scenario, the bands labelled, policy dates marked and a source line with the provenance.
"""
import datetime
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.lines  # noqa: E402,F401
import matplotlib.patches  # noqa: E402,F401
import matplotlib.ticker  # noqa: E402,F401
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import report_data as rd  # noqa: E402

FIG_W, FIG_H, DPI = 1200, 700, 100
MAX_PANELS = 6


def dates_of(sc):
    d = [rd.parse_date(x) for x in sc.dates]
    return d if all(d) else list(sc.days)


def _axes(n):
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(FIG_W / DPI, FIG_H / DPI), dpi=DPI,
                             squeeze=False, sharex=True)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)[:n]


def tick(y, _pos=None):
    """Axis numbers: thousands separators, enough decimals, never scientific notation."""
    if abs(y) >= 10 or abs(y) < 1e-9:
        return f"{y:,.0f}".replace("-", "\u2212")
    d = min(6, max(1, 1 - math.floor(math.log10(abs(y)))))
    return f"{y:.{d}f}".rstrip("0").rstrip(".").replace("-", "\u2212")


def _finish(fig, axes, title, source, policy, path, zero=True, share=False, bands=()):
    for ax in axes:
        ax.grid(True, alpha=0.3)
        if zero:
            ax.set_ylim(bottom=0)
        if share:
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        else:
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(tick))
        x = ax.get_lines()[0].get_xdata() if ax.get_lines() else []
        if len(x) and isinstance(x[0], datetime.date):
            loc = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
            for k, (day, what) in enumerate(policy):
                when = rd.parse_date(day)
                if when and x[0] <= when <= x[-1]:
                    ax.axvline(when, color="0.3", linestyle="--", linewidth=1)
                    ax.annotate(f"{what} from {when:%-d %b %Y}", (when, 1),
                                xycoords=("data", "axes fraction"), xytext=(3, -12 - 11 * k),
                                textcoords="offset points", fontsize="x-small")
    handles, labels = axes[0].get_legend_handles_labels()
    seen = {}
    for h, lab in zip(handles, labels):
        seen.setdefault(lab, h)
    for lab, h in bands:
        seen[lab] = h
    fig.legend(list(seen.values()), list(seen), loc="lower center", ncol=min(len(seen), 3),
               fontsize="small", frameon=False, bbox_to_anchor=(0.5, 0.03))
    fig.suptitle(title, fontsize="large")
    fig.text(0.01, 0.01, source, fontsize="x-small", color="0.35")
    fig.tight_layout(rect=(0, 0.12, 1, 0.95))
    fig.savefig(path + ".png", dpi=DPI)
    fig.savefig(path + ".pdf")
    plt.close(fig)
    return path + ".png"


def fan_chart(res, model, metric, path, source):
    """Mean per scenario with its 95% CI (dark) and 95% PI across replications (light)."""
    present = [sc for sc in res.scenarios if (model, metric) in sc.metrics]
    if not present:
        return None
    m0 = present[0].metrics[(model, metric)]
    names = rd.cell_names(m0)[:MAX_PANELS]
    fig, axes = _axes(len(names))
    policy = policy_marks(res, present)
    for k, sc in enumerate(present):
        m = sc.metrics[(model, metric)]
        s = m.flat_summary()
        x = dates_of(sc)
        color = f"C{k}"
        for c, ax in enumerate(axes):
            st = {n: s[:, c, i] for i, n in enumerate(rd.STATS)}
            ax.fill_between(x, st["q025"], st["q975"], color=color, alpha=0.12, linewidth=0)
            ax.fill_between(x, st["ci_low"], st["ci_high"], color=color, alpha=0.35,
                            linewidth=0)
            ax.plot(x, st["mean"], color=color, linewidth=1.6, label=f"{sc.label} (mean)")
            ax.set_title(names[c] or m.short, fontsize="medium")
            ax.set_ylabel(m.units if not rd.is_share(m) else "")
    title = f"{m0.short[:1].upper() + m0.short[1:]} by month end"
    bands = [("dark band: 95% CI of the mean",
              matplotlib.patches.Patch(color="0.3", alpha=0.45)),
             ("light band: 95% PI, the spread of replications",
              matplotlib.patches.Patch(color="0.3", alpha=0.15))]
    return _finish(fig, axes, title, source, policy, path, share=rd.is_share(m0), bands=bands)


def difference_chart(res, model, metric, path, source):
    comps = [(sc, res.comparisons[sc.name][(model, metric)]) for sc in res.scenarios
             if (model, metric) in res.comparisons.get(sc.name, {})]
    comps = [(sc, m) for sc, m in comps if m.kind == "series"]
    if not comps:
        return None
    base = next(s for s in res.scenarios if s.name == res.baseline)
    names = rd.cell_names(comps[0][1])[:MAX_PANELS]
    fig, axes = _axes(len(names))
    policy = policy_marks(res, [sc for sc, _ in comps])
    for k, (sc, m) in enumerate(comps, start=1):
        s = m.flat_summary()
        x = dates_of(sc)
        for c, ax in enumerate(axes):
            lo, hi, mean = s[:, c, 2], s[:, c, 3], s[:, c, 0]
            ax.fill_between(x, lo, hi, color=f"C{k}", alpha=0.3, linewidth=0)
            ax.plot(x, mean, color=f"C{k}", linewidth=1.6, label=f"{sc.label} minus {base.label}")
            ax.axhline(0, color="0.2", linewidth=0.8)
            ax.set_title(names[c] or m.short, fontsize="medium")
            ax.set_ylabel(m.units if not rd.is_share(m) else "")
    m0 = comps[0][1]
    title = f"Difference from {base.label}: {m0.short}"
    bands = [("band: 95% CI of the mean paired difference",
              matplotlib.patches.Patch(color="0.3", alpha=0.35))]
    return _finish(fig, axes, title, source, policy, path, zero=False, share=rd.is_share(m0),
                   bands=bands)


def policy_marks(res, scenarios):
    """(date, scenario label) of `from:` dates a scenario has and the baseline does not."""
    base = next((s for s in res.scenarios if s.name == res.baseline), None)
    base_dates = set(rd.policy_dates(base.yaml)) if base else set()
    marks = {}
    for sc in scenarios:
        for d in rd.policy_dates(sc.yaml):
            if d not in base_dates or sc is base:
                marks.setdefault(d, sc.label)
    return sorted(marks.items())


# Student t 97.5% quantiles for 1..30 degrees of freedom; beyond, the Cornish-Fisher term.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t975(df):
    z = 1.959964
    return T975[df - 1] if df <= 30 else z + (z ** 3 + z) / (4 * df)


def run_total(m):
    """Per replication, the metric summed over time (series) and cells."""
    v = m.flat_values()
    return np.nansum(v.reshape(v.shape[0], -1), axis=1)


FUNNEL = ("stack", "discuss", "transfer", "avoid")


def funnel_chart(res, model, stages, path, source):
    """Grouped bars: each stage's total over the run per scenario, with the 95% CI."""
    present = [sc for sc in res.scenarios if all((model, n) in sc.metrics for n in stages)]
    if not present or len(stages) < 2:
        return None
    fig, axes = _axes(1)
    ax = axes[0]
    width = 0.8 / len(present)
    for k, sc in enumerate(present):
        means, errs = [], []
        for n in stages:
            tot = run_total(sc.metrics[(model, n)])
            tot = tot[~np.isnan(tot)]
            means.append(tot.mean() if tot.size else np.nan)
            errs.append(t975(tot.size - 1) * tot.std(ddof=1) / math.sqrt(tot.size)
                        if tot.size > 1 else 0)
        xs = np.arange(len(stages)) + (k - (len(present) - 1) / 2) * width
        ax.bar(xs, means, width, yerr=errs, capsize=3, color=f"C{k}", label=sc.label)
    ax.set_xticks(np.arange(len(stages)))
    ax.set_xticklabels([present[0].metrics[(model, n)].short for n in stages], fontsize="small")
    ax.set_ylabel(present[0].metrics[(model, stages[0])].units)
    bands = [("error bars: 95% CI of the mean total", matplotlib.lines.Line2D([], [], color="0.2"))]
    return _finish(fig, axes, f"{model}: the funnel over the run", source, [], path,
                   bands=bands)


def find(res, pred):
    """(model, metric) of series metrics, in the first scenario's order, that pred accepts."""
    out = []
    for sc in res.scenarios:
        for (model, name), m in sc.metrics.items():
            if m.kind == "series" and pred(model, name) and (model, name) not in out:
                out.append((model, name))
    return out


def make_all(res, outdir, source):
    """Every figure the results support: [(title, png path)]."""
    os.makedirs(outdir, exist_ok=True)
    figs = []

    def add(title, fn, model, metric, stem):
        p = fn(res, model, metric, os.path.join(outdir, stem), source)
        if p:
            figs.append((title, p))

    for model, metric in find(res, lambda mo, n: n in ("waiting_list_size", "over_52_weeks")):
        add(f"Figure: {rd.SHORT[metric]} by trust", fan_chart, model, metric, f"{model}_{metric}")
        if res.baseline and len(res.scenarios) > 1:
            add(f"Figure: difference from the baseline, {rd.SHORT[metric]}", difference_chart,
                model, metric, f"{model}_{metric}_difference")
    for model, metric in find(res, lambda mo, n: "utilisation" in n)[:1]:
        add("Figure: theatre utilisation" if model == "elective" else f"Figure: {metric}",
            fan_chart, model, metric, f"{model}_{metric}")
    # Urgent care and other models: a hub funnel and occupancy where those metrics exist,
    # else each model's first series metrics.
    funnel = find(res, lambda mo, n: any(k in n for k in ("stack", "discuss", "transfer",
                                                          "avoided")) and mo != "elective")
    for model in sorted({mo for mo, _ in funnel}):
        stages = sorted({n for mo, n in funnel if mo == model} |
                        {n for sc in res.scenarios for (mo, n), m in sc.metrics.items()
                         if mo == model and m.kind == "rep" and any(k in n for k in FUNNEL)},
                        key=lambda n: next(i for i, k in enumerate(FUNNEL) if k in n))
        p = funnel_chart(res, model, stages, os.path.join(outdir, f"{model}_funnel"), source)
        if p:
            figs.append((f"Figure: {model}, the funnel", p))
    for model, metric in funnel[:4]:
        add(f"Figure: {model} hub, {metric.replace('_', ' ')}", fan_chart, model, metric,
            f"{model}_{metric}")
    for model, metric in find(res, lambda mo, n: "occup" in n and mo != "elective")[:2]:
        add(f"Figure: {model}, {metric.replace('_', ' ')}", fan_chart, model, metric,
            f"{model}_{metric}")
    shown = {os.path.basename(p)[:-4] for _, p in figs}
    for model in sorted({mo for sc in res.scenarios for mo in sc.models} - {"elective"}):
        for mo, metric in find(res, lambda a, n: a == model)[:2]:
            if f"{mo}_{metric}" not in shown:
                add(f"Figure: {model}, {metric.replace('_', ' ')}", fan_chart, mo, metric,
                    f"{mo}_{metric}")
            if res.baseline and len(res.scenarios) > 1:
                add(f"Figure: difference from the baseline, {model} {metric.replace('_', ' ')}",
                    difference_chart, mo, metric, f"{mo}_{metric}_difference")
    return figs
