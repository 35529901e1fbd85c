"""The report's uncertainty section (scripts/report.py), from the results file alone.

For a scenario with uncertain inputs (docs/uncertainty.md) the file holds, per replication,
each input's drawn value (/scenarios/NAME/inputs/reps/INPUT) beside every metric's value, and
the split of each metric's variance into inputs and simulation noise (MODEL/variance/METRIC).
For each headline metric at the last date (or over the whole run) this module gives:

- the variance split as 95% half-widths, 1.96 x sqrt(variance) of each component;
- the drivers: standardised regression coefficients (SRC) of the metric on the inputs over
  the replications, and standardised rank regression coefficients (SRRC, the same on ranks,
  for monotone but non-linear effects) (Saltelli et al., Global Sensitivity Analysis: The
  Primer, 2008, sec. 1.2.5). Over replications, SRC_i^2 is the share of the metric's whole
  variance (inputs and noise) input i explains, so sum SRC_i^2 ~ R^2 ~ the inputs' share;
- a tornado of the metric's change between the low and the high decile (10th and 90th
  percentile) of each input, the others at their means, from the same regression
  (unstandardised slope x the distance between the deciles). The raw difference of the mean
  between the replications in each input's lowest and highest tenth is in the CSV too; with
  few input samples it is noisy (the other inputs vary within each tenth), which is why
  the chart uses the fitted one.

With `--sensitivity DIR` it also shows the one-way table of `capsim sensitivity -o DIR`.
"""
import csv
import math
import os
import re

import h5py
import numpy as np

import report_data as rd

INPUT_MODEL = "inputs"
Z95 = 1.959963984540054
LEAD_PANELS = 4     # metric-cells per scenario given a ranked table and a tornado panel
DECILE = 0.1


def min_samples(k):
    """Input samples needed before k inputs are ranked: a regression on fewer is overfitted
    (its coefficients can exceed 1 by chance); k + 5 keeps 4 degrees of freedom or more."""
    return max(k + 5, 8)


class Input:
    def __init__(self, name, path, central, low, high, values):
        self.name, self.path = name, path
        self.central, self.low, self.high = central, low, high
        self.values = values


_DESC = re.compile(r"value of (\S+) drawn .*\(central (\S+), low (\S+), high (\S+)\)")


def read_inputs(f, scenario):
    """The scenario's uncertain inputs with their drawn values, [] when it has none."""
    g = f["scenarios"][scenario]
    if INPUT_MODEL not in g or "reps" not in g[INPUT_MODEL]:
        return []
    out = []
    for name in rd._strs(g[INPUT_MODEL].attrs["metrics"]):
        d = g[INPUT_MODEL]["reps"][name]
        m = _DESC.search(rd._s(d.attrs.get("description", "")))
        path, c, lo, hi = (m.group(1), *(float(x) for x in m.groups()[1:])) if m else \
            (name, math.nan, math.nan, math.nan)
        out.append(Input(name, path, c, lo, hi, np.asarray(d[()], dtype=float)))
    return out


def ranks(x):
    """Ranks from 1, ties given their mean rank."""
    order = np.argsort(x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        tie = x == v
        if tie.sum() > 1:
            r[tie] = r[tie].mean()
    return r


def standardised_coefficients(X, y):
    """(coefficients, R^2) of y on the columns of X, both standardised; NaN where undefined."""
    k = X.shape[1]
    sx, sy = X.std(axis=0), y.std()
    keep = sx > 0
    coef = np.full(k, math.nan)
    if sy == 0 or keep.sum() == 0 or len(y) < keep.sum() + 2:
        return coef, math.nan
    Z = (X[:, keep] - X[:, keep].mean(axis=0)) / sx[keep]
    zy = (y - y.mean()) / sy
    b, *_ = np.linalg.lstsq(Z, zy, rcond=None)
    coef[keep] = b
    resid = zy - Z @ b
    return coef, float(1.0 - resid @ resid / (zy @ zy))


def decile_change(x, y):
    """(mean of y where x is in its lowest tenth, in its highest tenth); NaN if they coincide."""
    lo, hi = np.quantile(x, DECILE), np.quantile(x, 1 - DECILE)
    if lo >= hi:
        return math.nan, math.nan
    return float(y[x <= lo].mean()), float(y[x >= hi].mean())


def variance_split(f, sc, m, t, c):
    """(total, inputs, noise, inputs_share) of metric m at time index t and cell c, or None."""
    g = f["scenarios"][sc.name][m.model]
    if "variance" not in g or m.name not in g["variance"]:
        return None
    v = g["variance"][m.name][()]
    if m.kind != "series":
        v = v[np.newaxis, ...]
    v = v.reshape(v.shape[0], -1, v.shape[-1])
    return tuple(float(x) for x in v[t, c])


def analyse(f, sc, metrics):
    """Rows for every (metric, cell) of `metrics` at the last date: split and drivers."""
    inputs = read_inputs(f, sc.name)
    if not inputs:
        return []
    X = np.column_stack([i.values for i in inputs])
    rows = []
    for m in metrics:
        if m.model == INPUT_MODEL:
            continue
        vals = m.flat_values()
        t = vals.shape[1] - 1
        date = sc.dates[t] if m.kind == "series" else "whole run"
        for c, cell in enumerate(rd.cell_names(m)):
            y = vals[:, t, c].astype(float)
            ok = np.isfinite(y)
            if ok.sum() < 2:  # not observed (e.g. a wait with no one treated)
                continue
            if len(np.unique(X[ok], axis=0)) >= min_samples(X.shape[1]):
                src, r2 = standardised_coefficients(X[ok], y[ok])
                Xr = np.column_stack([ranks(X[ok, j]) for j in range(X.shape[1])])
                srrc, r2_rank = standardised_coefficients(Xr, ranks(y[ok]))
            else:  # too few input samples to say what drives it
                src = srrc = np.full(X.shape[1], math.nan)
                r2 = r2_rank = math.nan
            drivers = []
            mean = float(y[ok].mean())
            for j, inp in enumerate(inputs):
                x = X[ok, j]
                lo, hi = decile_change(x, y[ok])
                q10, q90 = np.quantile(x, [DECILE, 1 - DECILE])
                slope = src[j] * y[ok].std() / x.std() if x.std() > 0 else math.nan
                drivers.append({"input": inp.name, "path": inp.path, "low": inp.low,
                                "central": inp.central, "high": inp.high, "src": src[j],
                                "srrc": srrc[j], "decile_low_mean": lo,
                                "decile_high_mean": hi, "decile_change": hi - lo,
                                "q10": float(q10), "q90": float(q90),
                                "fitted_low": mean + slope * (q10 - x.mean()),
                                "fitted_high": mean + slope * (q90 - x.mean()),
                                "fitted_change": slope * (q90 - q10)})
            # Ranked by |SRC|; inputs with no estimate (constant metric) last.
            drivers.sort(key=lambda d: -abs(d["src"]) if math.isfinite(d["src"]) else 1)
            for k, d in enumerate(drivers):
                d["rank"] = k + 1
            split = variance_split(f, sc, m, t, c)
            rows.append({"scenario": sc.name, "scenario_label": sc.label, "model": m.model,
                         "metric": m.name, "metric_label": m.short, "cell": cell,
                         "date": date, "mean": mean,
                         "n": int(ok.sum()), "r2": r2, "r2_rank": r2_rank,
                         "split": split, "drivers": drivers, "_m": m})
    return rows


# ---- tables ----

SPLIT_KEYS = ["scenario", "model", "metric", "metric_label", "cell", "date", "mean",
              "var_total", "var_inputs", "var_noise", "inputs_share", "pm_inputs", "pm_noise",
              "r2", "r2_rank", "top_input", "n"]
DRIVER_KEYS = ["scenario", "model", "metric", "metric_label", "cell", "date", "rank", "input",
               "path", "low", "central", "high", "src", "srrc", "q10", "q90", "fitted_low",
               "fitted_high", "fitted_change", "decile_low_mean", "decile_high_mean",
               "decile_change", "r2", "n"]


def split_csv_rows(rows):
    out = []
    for r in rows:
        s = r["split"] or (math.nan,) * 4
        out.append({**{k: r[k] for k in ("scenario", "model", "metric", "metric_label", "cell",
                                          "date", "mean", "r2", "r2_rank", "n")},
                    "var_total": s[0], "var_inputs": s[1], "var_noise": s[2],
                    "inputs_share": s[3], "pm_inputs": Z95 * math.sqrt(s[1]),
                    "pm_noise": Z95 * math.sqrt(s[2]), "top_input": r["drivers"][0]["path"]})
    return out


def driver_csv_rows(rows):
    return [{**{k: r[k] for k in ("scenario", "model", "metric", "metric_label", "cell",
                                   "date", "r2", "n")}, **d}
            for r in rows for d in r["drivers"]]


def signed(x, m):
    return rd.num(x, m, signed=True) if math.isfinite(x) else "-"


def coef(x):
    return f"{x:.2f}".replace("-", "\u2212") if math.isfinite(x) else "-"


def input_range(d):
    return f"{d['low']:.4g} to {d['high']:.4g}"


METHOD = (
    "Some inputs of this scenario are uncertain (assumptions given as distributions, "
    "docs/uncertainty.md): each replication drew them once per input sample. "
    "**Inputs vs noise**: the variance of each measure across replications splits into the "
    "part from the inputs and the simulation noise (a one-way analysis of variance over the "
    "input samples, as in the results file); each is shown as the half-width of a 95% "
    "interval, 1.96 x its standard deviation. **What drives it**: the standardised "
    "regression coefficient (SRC) of the measure on each input over the replications, and "
    "the same on ranks (SRRC), ranked by the size of SRC; SRC squared is roughly the share "
    "of the measure's variance that input explains, R\u00b2 the share all of them explain. "
    "**Tornado** and the last column: the change in the measure from each input's low "
    "decile to its high decile (10th to 90th percentile of the values drawn), the other "
    "inputs at their means, from the same regression; tables/uncertainty_drivers.csv also "
    "has the raw difference between the replications drawn in each input's lowest and "
    "highest tenth.")


def split_table(rows):
    cols = ["Measure", "Where", "When", "Mean", "95% from inputs", "95% from noise",
            "Inputs' share", "Drives it most (SRC)"]
    out = []
    for r in rows:
        m, s, top = r["_m"], r["split"], r["drivers"][0]
        dp = rd.common_dp(m, r["mean"])
        when = rd.month_words(r["date"]) if r["date"] != "whole run" else r["date"]
        if s is None:
            pi = pn = share = "-"
        else:
            pi = "\u00b1" + rd.num(Z95 * math.sqrt(s[1]), m, dp)
            pn = "\u00b1" + rd.num(Z95 * math.sqrt(s[2]), m, dp)
            share = f"{s[3] * 100:.0f}%" if math.isfinite(s[3]) else "-"
        out.append([m.short, r["cell"], when, rd.num(r["mean"], m, dp), pi, pn, share,
                    f"{top['path']} ({coef(top['src'])})" if math.isfinite(top["src"])
                    else "-"])
    return cols, out


def driver_table(r):
    cols = ["Rank", "Input", "Range", "SRC", "SRRC", "Low to high decile"]
    m = r["_m"]
    out = [[d["rank"], d["path"], input_range(d), coef(d["src"]), coef(d["srrc"]),
            signed(d["fitted_change"], m)] for d in r["drivers"]]
    return cols, out


def lead_rows(rows):
    """The metric-cells given ranked tables and a tornado: the first headline ones that vary."""
    return [r for r in rows if math.isfinite(r["r2"])][:LEAD_PANELS]


def split_lead(rows):
    """The measures quoted in words: the lead ones, else (too few samples) the first four."""
    return lead_rows(rows) or rows[:LEAD_PANELS]


def in_words(r):
    """'52-week waiters, WSFT, March 2025: 95% interval from inputs ±120, from noise ±40.'"""
    m, s = r["_m"], r["split"]
    where = f", {r['cell']}" if r["cell"] else ""
    when = rd.month_words(r["date"]) if r["date"] != "whole run" else "over the run"
    if s is None:
        return None
    dp = rd.common_dp(m, r["mean"])
    top = r["drivers"][0]
    drives = (f"driven most by {top['path']} (SRC {coef(top['src'])})"
              if math.isfinite(top["src"]) else "too few input samples to say what drives it")
    return (f"{m.short}{where}, {when}: 95% interval from inputs "
            f"\u00b1{rd.num(Z95 * math.sqrt(s[1]), m, dp)}, from simulation noise "
            f"\u00b1{rd.num(Z95 * math.sqrt(s[2]), m, dp)}; {drives}.")


# ---- figures ----

def tornado_panel(ax, labels, lows, highs, centre, xlabel, low_name, high_name):
    """Per input two bars from the centre: to the value at the low end (orange, above) and
    at the high end (blue, below), so both show when they lie on the same side."""
    order = sorted(range(len(labels)), key=lambda i: abs(highs[i] - lows[i])
                   if math.isfinite(highs[i] - lows[i]) else -1)
    for k, i in enumerate(order):
        if not (math.isfinite(lows[i]) and math.isfinite(highs[i])):
            continue
        top = k == len(order) - 1
        ax.barh(k + 0.17, lows[i] - centre, left=centre, color="#ff7f0e", height=0.34,
                label=low_name if top else None)
        ax.barh(k - 0.17, highs[i] - centre, left=centre, color="#1f77b4", height=0.34,
                label=high_name if top else None)
    ax.axvline(centre, color="black", linewidth=1)
    ends = [x for x in list(lows) + list(highs) + [centre] if math.isfinite(x)]
    pad = 0.08 * (max(ends) - min(ends)) or 1.0
    ax.set_xlim(min(ends) - pad, max(ends) + pad)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([labels[i] for i in order], fontsize="x-small")
    ax.set_xlabel(xlabel, fontsize="small")
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize="x-small", loc="best")


def _fig(n):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import report_figures as rf
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(rf.FIG_W / rf.DPI, rf.FIG_H / rf.DPI),
                             dpi=rf.DPI, squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return plt, fig, list(axes.flat)[:n]


def _save(plt, fig, path, title, source):
    fig.suptitle(title, fontsize="medium")
    fig.text(0.01, 0.005, source, fontsize="xx-small", color="#555")
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    fig.savefig(path + ".png")
    fig.savefig(path + ".pdf")
    plt.close(fig)
    return path + ".png"


def tornado_figure(rows, path, title, source):
    plt, fig, axes = _fig(len(rows))
    for ax, r in zip(axes, rows):
        m = r["_m"]
        labels = [f"{d['path']}\n({input_range(d)})" for d in r["drivers"]]
        where = f", {r['cell']}" if r["cell"] else ""
        tornado_panel(ax, labels, [d["fitted_low"] for d in r["drivers"]],
                      [d["fitted_high"] for d in r["drivers"]], r["mean"],
                      f"{m.short}{where} ({m.units})", "input at its low decile",
                      "input at its high decile")
    return _save(plt, fig, path, title, source)


# ---- capsim sensitivity output ----

def _bad(what):
    """Bad usage: exit 2 before anything is written."""
    import sys
    sys.stderr.write(f"capsim report: --sensitivity: {what}\n")
    sys.exit(2)


def read_sensitivity(folder):
    """The one-way (and global, when there) tables of `capsim sensitivity -o DIR`."""
    path = os.path.join(folder, "sensitivity_oneway.csv")
    if not os.path.isfile(path):
        _bad(f"{path}: no such file (capsim sensitivity -o DIR writes it)")
    with open(path, newline="") as f:
        oneway = list(csv.DictReader(f))
    need = {"metric", "input", "low", "high", "metric_at_low", "metric_at_central",
            "metric_at_high", "swing"}
    if not oneway or not need <= set(oneway[0]):
        _bad(f"{path}:1: not a capsim sensitivity one-way table (expected the columns "
             f"{', '.join(sorted(need))})")
    glob = {}
    gpath = os.path.join(folder, "sensitivity_global.csv")
    if os.path.isfile(gpath):
        with open(gpath, newline="") as f:
            glob = {r["input"]: r for r in csv.DictReader(f)}
    return oneway, glob


def sensitivity_blocks(folder, figdir, source, figures=True):
    oneway, glob = read_sensitivity(folder)
    rows = sorted(oneway, key=lambda r: -abs(float(r["swing"])))
    metric = rows[0]["metric"]
    central = float(rows[0]["metric_at_central"])
    has_global = bool(glob)
    cols = ["Rank", "Input", "Low", "High", "Metric at low", "Metric at high", "Swing"] + \
        (["SRC (global)"] if has_global else [])
    table = []
    for k, r in enumerate(rows):
        line = [k + 1, r["input"], f"{float(r['low']):.4g}", f"{float(r['high']):.4g}",
                f"{float(r['metric_at_low']):,.4g}", f"{float(r['metric_at_high']):,.4g}",
                f"{float(r['swing']):+,.4g}".replace("-", "\u2212")]
        if has_global:
            g = glob.get(r["input"])
            line.append(coef(float(g["src"])) if g else "-")
        table.append(line)
    text = (f"From `capsim sensitivity` for {metric}: each input at its low and its high value "
            f"with the others at their central values, common random numbers at every point "
            f"(all inputs central: {central:,.4g}). Ranked by swing (high minus low).")
    if has_global:
        g0 = next(iter(glob.values()))
        text += (f" SRC (global): standardised regression coefficients over "
                 f"{int(g0['samples'])} points of a Sobol design, R\u00b2 "
                 f"{float(g0['r2']):.2f}.")
    blocks = [("p", text), ("table", cols, table)]
    if figures:
        os.makedirs(figdir, exist_ok=True)
        plt, fig, axes = _fig(1)
        tornado_panel(axes[0], [f"{r['input']}\n({float(r['low']):.4g} to "
                                f"{float(r['high']):.4g})" for r in rows],
                      [float(r["metric_at_low"]) for r in rows],
                      [float(r["metric_at_high"]) for r in rows], central, metric,
                      "input at its low value", "input at its high value")
        blocks.append(("fig", _save(plt, fig, os.path.join(figdir, "tornado_oneway"),
                                    f"One-way sensitivity of {metric}", source)))
    return blocks


# ---- the section ----

def section(res, metrics_of, outdir, source, figures=True):
    """(sections to insert, split CSV rows, driver CSV rows, lines for the summary): all
    empty without uncertain inputs. The summary lines are the first such scenario's."""
    secs, split_rows, driver_rows, summary = [], [], [], []
    drawn = {}   # pattern of leading inputs -> the label of the scenario whose chart shows it
    with h5py.File(res.path, "r") as f:
        for sc in res.scenarios:
            rows = analyse(f, sc, metrics_of(sc))
            if not rows:
                continue
            split_rows += split_csv_rows(rows)
            driver_rows += driver_csv_rows(rows)
            cols, table = split_table(rows)
            inputs = read_inputs(f, sc.name)
            per = int(sc.attrs.get("runs_per_sample", 1))
            X = np.column_stack([i.values for i in inputs])
            samples = len(np.unique(X, axis=0))
            blocks = [("p", METHOD),
                      ("p", f"{len(inputs)} uncertain input(s), {len(X)} replications, "
                            f"{samples} input samples of {per} runs: an SRC within about "
                            f"\u00b1{2 / math.sqrt(samples):.2f} (2/\u221a{samples}) of zero "
                            f"may be chance."),
                      ("list", [w for w in (in_words(r) for r in split_lead(rows)) if w]),
                      ("table", cols, table)]
            if samples < min_samples(len(inputs)):
                blocks.append(("p", f"Too few input samples to rank what drives each measure: "
                                    f"{samples} for {len(inputs)} inputs, at least "
                                    f"{min_samples(len(inputs))} are needed (run at least "
                                    f"{min_samples(len(inputs)) * per} replications)."))
            for r in lead_rows(rows):
                where = f", {r['cell']}" if r["cell"] else ""
                c2, t2 = driver_table(r)
                blocks += [("p", f"What drives **{r['_m'].short}{where}** "
                                 f"({rd.month_words(r['date']) if r['date'] != 'whole run' else 'over the run'}; "
                                 f"R\u00b2 {coef(r['r2'])}, on ranks {coef(r['r2_rank'])}):"),
                           ("table", c2, t2)]
            # In a batch, a tornado per distinct pattern: a scenario whose lead measures have
            # the same two leading inputs as one already drawn refers to that chart (figures
            # cost most of the report's time).
            pattern = tuple((r["metric"], r["cell"], tuple(d["path"] for d in r["drivers"][:2]))
                            for r in lead_rows(rows))
            if figures and pattern in drawn:
                blocks.append(("p", f"The same two inputs lead each of these measures as in "
                                    f"{drawn[pattern]}: its tornado chart shows the pattern "
                                    f"(the ranked tables above give this scenario's figures)."))
            elif figures and lead_rows(rows):
                drawn[pattern] = sc.label
                figdir = os.path.join(outdir, "figures")
                os.makedirs(figdir, exist_ok=True)
                blocks.append(("fig", tornado_figure(
                    lead_rows(rows), os.path.join(figdir, f"tornado_{sc.name}"),
                    f"{sc.label}: what drives the result (each input from its low to its "
                    f"high decile, the others at their means)", source)))
            secs.append((f"Uncertain inputs: {sc.label}", blocks))
            if not summary:
                summary = [f"{sc.label}: {w}" for w in (in_words(r) for r in split_lead(rows))
                           if w]
    return secs, split_rows, driver_rows, summary
