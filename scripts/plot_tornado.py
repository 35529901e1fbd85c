#!/usr/bin/python3
"""A tornado chart of a one-way sensitivity table (capsim sensitivity -o DIR).

    plot_tornado.py DIR/sensitivity_oneway.csv [-o tornado.png]

One bar per uncertain input, from the metric at the input's low value to the metric at its
high value (the others at their central values), largest swing on top; the line is the
metric with every input central.
"""
import argparse
import csv

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("table")
    ap.add_argument("-o", "--output", default="tornado.png")
    args = ap.parse_args()
    with open(args.table, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{args.table}: no rows")
    rows.sort(key=lambda r: abs(float(r["swing"])))
    central = float(rows[0]["metric_at_central"])
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.5 * len(rows)))
    for i, r in enumerate(rows):
        lo, hi = float(r["metric_at_low"]), float(r["metric_at_high"])
        ax.barh(i, hi - central, left=central, color="#1f77b4", height=0.6,
                label="input at high value" if i == 0 else None)
        ax.barh(i, lo - central, left=central, color="#ff7f0e", height=0.6,
                label="input at low value" if i == 0 else None)
    ax.axvline(central, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['input']}\n({float(r['low']):.3g} to {float(r['high']):.3g})"
                        for r in rows], fontsize="small")
    ax.set_xlabel(rows[0]["metric"])
    ax.set_title("What drives the result: each input at its low and high value")
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    fig.savefig(args.output, dpi=150)
    print(args.output)


if __name__ == "__main__":
    main()
