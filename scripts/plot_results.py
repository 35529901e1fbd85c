#!/usr/bin/python3
"""Plot one series metric of a capsim results file: mean and 95% CI band over time.

    plot_results.py FILE [MODEL/]METRIC [-s SCENARIO ...] [-g GROUP ...] [-o OUT.png]

One panel per cell of the metric's dimensions (e.g. per list or trust), one line per
scenario; the shaded band is the 95% Student t confidence interval for the mean across
replications (MODEL/summary/METRIC). A bare METRIC is looked up in every model. Dates on the x axis
come from the time_label dataset. Saves a PNG (default METRIC.png) for reports.
"""
import argparse
import datetime
import itertools
import math
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def parse_dates(labels, days):
    """Dates from the time labels, or days since start when the labels are not dates."""
    try:
        return [datetime.date.fromisoformat(x) for x in labels]
    except ValueError:
        return list(days)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("metric")
    ap.add_argument("-s", "--scenario", action="append", help="scenario (repeatable; default all)")
    ap.add_argument("-g", "--group", action="append", help="group label (repeatable; default all)")
    ap.add_argument("-o", "--output", help="PNG file (default METRIC.png)")
    ap.add_argument("--dpi", type=int, default=150)
    args = ap.parse_args()

    with h5py.File(args.file, "r") as f:
        if f.attrs.get("format") != "capsim-results":
            sys.exit(f"{args.file}: not a capsim results file")
        names = args.scenario or list(f.attrs["scenarios"])
        panels = {}   # group label -> [(scenario, dates, mean, lo, hi)]
        units = description = None
        for name in names:
            if name not in f["scenarios"]:
                sys.exit(f"{args.file}: no scenario {name!r}")
            g = f["scenarios"][name]
            model, _, metric = args.metric.rpartition("/")
            models = [model] if model else [m for m in g.attrs["models"]
                                            if metric in g[m]["series"]]
            if not models or models[0] not in g or metric not in g[models[0]]["series"]:
                sys.exit(f"{args.file}: scenario {name}: no series metric {args.metric!r}")
            mg = g[models[0]]
            s = mg["summary"][metric]
            units, description = s.attrs["units"], mg["series"][metric].attrs["description"]
            stats = list(g["stat"].asstr()[()])
            i_mean, i_lo, i_hi = (stats.index(k) for k in ("mean", "ci_low", "ci_high"))
            dates = parse_dates(g["time_label"].asstr()[()], g["time"][()])
            data = s[()]
            if data.ndim >= 3:
                names_ = [d.label for d in s.dims][1:-1]
                labels = ["/".join(c) for c in itertools.product(
                    *[list(mg[n].asstr()[()]) for n in names_])]
                data = data.reshape(data.shape[0], len(labels), data.shape[-1])
                for i, label in enumerate(labels):
                    if args.group and label not in args.group:
                        continue
                    d = data[:, i, :]
                    panels.setdefault(label, []).append(
                        (name, dates, d[:, i_mean], d[:, i_lo], d[:, i_hi]))
            else:
                panels.setdefault("", []).append(
                    (name, dates, data[:, i_mean], data[:, i_lo], data[:, i_hi]))
    if not panels:
        sys.exit("nothing to plot (check --group)")

    n = len(panels)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), sharex=True,
                             squeeze=False)
    for ax, (label, lines) in zip(axes.flat, panels.items()):
        for name, dates, mean, lo, hi in lines:
            (line,) = ax.plot(dates, mean, label=name, linewidth=1.6)
            ax.fill_between(dates, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_title(label or args.metric)
        ax.set_ylabel(units)
        ax.grid(True, alpha=0.3)
        if isinstance(lines[0][1][0], datetime.date):
            locator = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        else:
            ax.set_xlabel("days since start")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize="small")
    fig.suptitle(f"{args.metric}: {description}\nmean and 95% confidence interval across replications",
                 fontsize="medium")
    fig.tight_layout()
    out = args.output or f"{args.metric}.png"
    fig.savefig(out, dpi=args.dpi)
    print(out)


if __name__ == "__main__":
    main()
