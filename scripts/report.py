#!/usr/bin/python3
"""Board-ready reports of capsim results (run by `capsim report` and `capsim export`).

    report.py results FILE [-o DIR] [--dates YYYY-MM-DD,...] [--no-figures] [--sensitivity DIR]
    report.py export FILE --csv DIR
    report.py model FILE SCENARIO_PATH [-o DIR]     (FILE: the scenario with no replications)

`results` writes into DIR (default FILE without .h5 plus _report/): report.md, report.html
(figures embedded), tables/*.csv and figures/*.png + *.pdf. `export` writes tidy long CSV.
`model` writes a STRESS-DES style model report (Monks et al. 2019) of a scenario.
"""
import argparse
import base64
import csv
import datetime
import hashlib
import html
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report_data as rd  # noqa: E402

INTERVAL_NOTE = (
    "Intervals: **95% CI** is the 95% confidence interval of the mean across replications "
    "(Student t; where that interval would leave the range a metric has in every "
    "replication, such as a count below zero, the bootstrap percentile interval of the mean "
    "is used instead, marked \u2020). **95% PI** is the prediction interval: the 2.5th to "
    "97.5th percentile of the replications, the spread of outcomes one run of the year "
    "could give. Differences from the baseline are paired by replication (common random "
    "numbers) with their 95% CI.")


# ---- tables ----

def pick_dates(sc, dates):
    """Indexes of the chosen dates (labels) in a scenario's snapshots (default: FY ends, last)."""
    if dates is None:
        return rd.default_dates(sc.dates)
    return [sc.dates.index(d) for d in dates if d in sc.dates]


def headline_rows(res, dates=None):
    """Rows of the headline table: scenario, metric, cell, date, mean, CI, PI."""
    rows = []
    for sc in res.scenarios:
        idxs = pick_dates(sc, dates)
        for m in headline_metrics(sc):
            names = rd.cell_names(m)
            s = m.flat_summary()
            v = m.flat_values()
            times = idxs if m.kind == "series" else [None]
            for t in times:
                ti = 0 if t is None else t
                for c, cell in enumerate(names):
                    st = dict(zip(rd.STATS, s[ti, c]))
                    lo, hi, method = rd.mean_interval(v[:, ti, c], st["ci_low"], st["ci_high"])
                    rows.append({
                        "scenario": sc.name, "scenario_label": sc.label, "model": m.model,
                        "metric": m.name, "metric_label": m.short, "cell": cell,
                        "date": sc.dates[t] if t is not None else "whole run",
                        "mean": st["mean"], "ci_low": lo, "ci_high": hi, "ci_method": method,
                        "pi_low": st["q025"], "pi_high": st["q975"], "n": int(st["n"]),
                        "units": m.units, "_m": m})
    return rows


def headline_metrics(sc):
    out = []
    for model in sc.models:
        if model == "inputs":  # the drawn uncertain inputs: the uncertainty section's
            continue
        ms = [sc.metrics[k] for k in sc.metrics if k[0] == model]
        lead = [m for name in rd.HEADLINE for m in ms if m.name == name]
        if not lead:
            lead = [m for m in ms if m.kind == "series"][:6] + \
                   [m for m in ms if m.kind == "rep"][:4]
        out += lead
    return out


def difference_rows(res, dates=None):
    rows = []
    base = next((s for s in res.scenarios if s.name == res.baseline), None)
    for sc in res.scenarios:
        if sc.name == res.baseline or sc.name not in res.comparisons:
            continue
        comp = res.comparisons[sc.name]
        idxs = pick_dates(sc, dates)
        for m0 in headline_metrics(sc):
            m = comp.get((m0.model, m0.name))
            if m is None:
                continue
            names = rd.cell_names(m)
            s = m.flat_summary()
            for t in (idxs if m.kind == "series" else [None]):
                ti = 0 if t is None else t
                for c, cell in enumerate(names):
                    st = dict(zip(rd.STATS, s[ti, c]))
                    date = sc.dates[t] if t is not None else None
                    rows.append({
                        "scenario": sc.name, "scenario_label": sc.label,
                        "baseline": base.name, "baseline_label": base.label,
                        "model": m.model, "metric": m.name, "metric_label": m.short,
                        "cell": cell, "date": date or "whole run", "mean": st["mean"],
                        "ci_low": st["ci_low"], "ci_high": st["ci_high"], "n": int(st["n"]),
                        "units": m.units, "words": in_words(sc, base, m, cell, date, st),
                        "_m": m})
    return rows


def in_words(sc, base, m, cell, date, st):
    """'DCMC lists lower WSFT's 52-week waiters in July 2025 by 869 (95% CI 848 to 889)'."""
    who = f"{cell}'s " if cell else ""
    when = f" in {rd.month_words(date)}" if date else " over the run"
    mean, lo, hi = st["mean"], st["ci_low"], st["ci_high"]
    if any(not math.isfinite(x) for x in (mean, lo, hi)):
        return f"{sc.label}: no paired difference for {who}{m.short}{when}."
    dp = rd.common_dp(m, mean, lo, hi)
    if mean == 0 and st["sd"] == 0:
        return (f"{sc.label} leaves {who}{m.short}{when} unchanged in every replication "
                f"compared with {base.label}.")
    if lo > 0 or hi < 0:
        verb = "raises" if mean > 0 else "lowers"
        a, b = (lo, hi) if mean > 0 else (-hi, -lo)
        return (f"{sc.label} {verb} {who}{m.short}{when} by {rd.num(abs(mean), m, dp)} "
                f"(95% CI {rd.interval(a, b, m, dp)}) compared with {base.label}.")
    return (f"{sc.label} makes no clear difference to {who}{m.short}{when}: "
            f"{rd.num(mean, m, dp, signed=True)} (95% CI {rd.interval(lo, hi, m, dp)}) "
            f"compared with {base.label}.")


def fmt_row(r):
    m = r["_m"]
    dp = rd.common_dp(m, r["mean"], r["ci_low"], r["ci_high"])
    mark = "\u2020" if r.get("ci_method") == "bootstrap" else ""
    out = [r["scenario_label"], r["metric_label"], r["cell"], rd.month_words(r["date"])
           if r["date"] != "whole run" else r["date"], rd.num(r["mean"], m, dp),
           rd.interval(r["ci_low"], r["ci_high"], m, dp) + mark]
    if "pi_low" in r:
        out.append(rd.interval(r["pi_low"], r["pi_high"], m, dp))
    out.append(m.units if not rd.is_share(m) else "%")
    return out


HEAD_COLS = ["Scenario", "Measure", "Where", "When", "Mean", "95% CI", "95% PI", "Units"]
DIFF_COLS = ["Scenario", "Measure", "Where", "When", "Difference", "95% CI", "Units"]


def write_csv(path, rows, keys):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys)
        for r in rows:
            w.writerow([repr_csv(r[k]) for k in keys])


def repr_csv(x):
    if isinstance(x, float):
        return "" if math.isnan(x) else repr(x)
    return x


# ---- provenance ----

def provenance(res):
    a = res.attrs
    sc0 = res.scenarios[0]
    files = []
    for sc in res.scenarios:
        files.append((sc.label, sc.name, sc.attrs.get("scenario_sha256", "")))
    return {
        "capsim version": str(a.get("capsim_version", "")),
        "git commit": str(a.get("git_commit", "")),
        "results file": os.path.basename(res.path),
        "results file SHA-256": sha256_file(res.path),
        "command": str(a.get("command_line", "")),
        "base seed": str(a.get("base_seed", "")),
        "replications": f"{int(a.get('replications', 0)):,}"
                        + ("" if int(a.get("complete", 1)) else " (incomplete file)"),
        "warm-up": f"{float(sc0.attrs.get('warmup_days', 0)):g} days",
        "start date": str(sc0.attrs.get("start_date", "")),
        "horizon": f"{float(sc0.attrs.get('horizon_days', 0)):g} days",
        "run date (UTC)": str(a.get("created_utc", "")),
        "_files": files,
    }


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def source_line(res):
    a = res.attrs
    return (f"Source: capsim {a.get('capsim_version', '')} (git {a.get('git_commit', '')}), "
            f"{os.path.basename(res.path)}, {int(a.get('replications', 0)):,} replications, "
            f"seed {a.get('base_seed', '')}, run {str(a.get('created_utc', ''))[:10]}")


# ---- Markdown and HTML ----

def md_table(cols, rows):
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(out)


def html_table(cols, rows):
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build_sections(res, heads, diffs, figures):
    """The report as sections: (title, [blocks]); a block is ('p'|'table'|'list'|'fig', ...)."""
    prov = provenance(res)
    names = ", ".join(s.label for s in res.scenarios)
    title = f"capsim results: {names}" if len(res.scenarios) < 4 else \
        f"capsim results: {len(res.scenarios)} scenarios"
    secs = []
    intro = [("p", f"{len(res.scenarios)} scenario(s), "
                   f"{int(res.attrs.get('replications', 0)):,} replications each"
                   + (f"; the baseline is {next(s.label for s in res.scenarios if s.name == res.baseline)}."
                      if res.baseline else "."))]
    if diffs:
        last = res.scenarios[0].dates[-1]
        order = {"over_52_weeks": 0, "waiting_list_size": 1}
        key = [d for d in diffs if d["date"] == last]
        key.sort(key=lambda d: (order.get(d["metric"], 2), d["ci_low"] <= 0 <= d["ci_high"]))
        intro.append(("list", [d["words"] for d in key][:8]))
    intro.append(("p", INTERVAL_NOTE))
    secs.append(("Summary", intro))
    secs.append(("Headline measures",
                 [("table", HEAD_COLS, [fmt_row(r) for r in heads if r["date"] != "whole run"])]))
    whole = [fmt_row(r) for r in heads if r["date"] == "whole run"]
    if whole:
        secs.append(("Over the whole run (after the warm-up)", [("table", HEAD_COLS, whole)]))
    if diffs:
        secs.append(("Differences from the baseline",
                     [("table", DIFF_COLS, [fmt_row(r) for r in diffs]),
                      ("p", "In words, at the last date (every date is in "
                            "tables/differences.csv):"),
                      ("list", [d["words"] for d in diffs
                                if d["date"] in (res.scenarios[0].dates[-1], "whole run")])]))
    for title_, path in figures:
        secs.append((title_, [("fig", path)]))
    scen = []
    for sc in res.scenarios:
        scen.append(("p", f"**{sc.label}** (`{sc.name}`): {sc.description or 'no description'}"))
        stated = sc.assumptions + sc.comment_assumptions
        if stated:
            scen.append(("list", stated))
    secs.append(("Scenarios and their assumptions", scen))
    prov_rows = [[k, v] for k, v in prov.items() if not k.startswith("_")]
    prov_rows += [[f"scenario {lab} SHA-256", sha] for lab, _, sha in prov["_files"]]
    secs.append(("Provenance", [("table", ["", ""], prov_rows)]))
    return title, secs


def render_md(title, secs, outdir):
    out = [f"# {title}", ""]
    for name, blocks in secs:
        out += [f"## {name}", ""]
        for b in blocks:
            if b[0] == "p":
                out += [b[1], ""]
            elif b[0] == "list":
                out += [f"- {x}" for x in b[1]] + [""]
            elif b[0] == "table" and b[2]:
                out += [md_table(b[1], b[2]), ""]
            elif b[0] == "fig":
                rel = os.path.relpath(b[1], outdir)
                out += [f"![{name}]({rel})", ""]
    return "\n".join(out)


CSS = """body{font-family:DejaVu Sans,Arial,sans-serif;font-size:10pt;margin:0 1em;color:#222}
h1{font-size:16pt}h2{font-size:13pt;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:0.5em 0;font-size:8.5pt}
td,th{border:1px solid #bbb;padding:2px 5px;text-align:left}
td:nth-child(5),td:nth-child(6),td:nth-child(7){text-align:right;white-space:nowrap}
img{max-width:100%;max-height:24cm}
section.page{break-before:page}section.page:first-of-type{break-before:auto}
@page{size:A4;margin:1.5cm}"""


def md_inline(text):
    t = html.escape(text)
    parts = t.split("**")
    t = "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))
    parts = t.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(title, secs):
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
           f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
    for i, (name, blocks) in enumerate(secs):
        out.append("<section class='page'>")
        if i == 0:
            out.append(f"<h1>{html.escape(title)}</h1>")
        out.append(f"<h2>{html.escape(name)}</h2>")
        for b in blocks:
            if b[0] == "p":
                out.append(f"<p>{md_inline(b[1])}</p>")
            elif b[0] == "list":
                out.append("<ul>" + "".join(f"<li>{md_inline(x)}</li>" for x in b[1]) + "</ul>")
            elif b[0] == "table" and b[2]:
                out.append(html_table(b[1], b[2]))
            elif b[0] == "fig":
                with open(b[1], "rb") as f:
                    data = base64.b64encode(f.read()).decode()
                out.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


# ---- commands ----

def cmd_results(args):
    res = rd.load(args.file)
    outdir = args.output or (os.path.splitext(args.file)[0] + "_report")
    dates = None
    if args.dates:
        labels = sorted({d for sc in res.scenarios for d in sc.dates})
        dates = args.dates.split(",")
        for d in dates:
            if d not in labels:
                sys.exit(f"capsim report: --dates: {d} is not a snapshot date "
                         f"(they are month ends from {labels[0]} to {labels[-1]})")
    if args.sensitivity:
        import report_uncertainty
        report_uncertainty.read_sensitivity(args.sensitivity)  # bad input before any output
    os.makedirs(os.path.join(outdir, "tables"), exist_ok=True)  # only once the input is good
    heads = headline_rows(res, dates)
    diffs = difference_rows(res, dates)
    keys = ["scenario", "scenario_label", "model", "metric", "metric_label", "cell", "date",
            "mean", "ci_low", "ci_high", "ci_method", "pi_low", "pi_high", "n", "units"]
    write_csv(os.path.join(outdir, "tables", "headline.csv"), heads, keys)
    write_csv(os.path.join(outdir, "tables", "differences.csv"), diffs,
              ["scenario", "baseline", "model", "metric", "metric_label", "cell", "date",
               "mean", "ci_low", "ci_high", "n", "units", "words"])
    export_summaries(res, os.path.join(outdir, "tables"))
    figures = []
    if not args.no_figures:
        import report_figures
        figures = report_figures.make_all(res, os.path.join(outdir, "figures"),
                                          source_line(res))
    import report_spc
    spc_rows, spc_figs = report_spc.section(res, os.path.join(outdir, "figures"),
                                            source_line(res), not args.no_figures)
    if spc_rows:
        write_csv(os.path.join(outdir, "tables", "spc.csv"), spc_rows, list(spc_rows[0]))
    title, secs = build_sections(res, heads, diffs, figures)
    if spc_rows:
        secs.insert(len(secs) - 2, ("Would a board see it? SPC charts", [
            ("p", "XmR charts as in NHS England's Making Data Count: the mean and process "
                  "limits (mean +- 2.66 x the mean moving range) come from the "
                  f"{report_spc.LIMIT_MONTHS} months before the scenario's change, in each "
                  "replication (the trajectory that trust would have observed; the first "
                  f"{report_spc.LIMIT_MONTHS} months when the change comes earlier); the "
                  "months from the change on are then judged by the rules (a point outside "
                  "the limits, 7 points on one side of the mean, a run of 7 rising or "
                  "falling, or 2 of 3 points near a limit). The table says in how many "
                  "replications the change shows within the horizon and after how many "
                  "months (median; a shift shows at its seventh month); the same test on the "
                  "baseline, which has no change, counts false alarms (a process still "
                  "moving, such as a falling backlog, signals without any intervention); and "
                  "in how many replications the limit months were themselves stable (no "
                  "special cause), as the limits assume."),
            ("table", ["Scenario", "Change", "Watched from", "Measure", "Where", "Mean",
                       "Process limits",
                       "Shows in", "Median months", "Baseline alone signals in",
                       "Limit months stable in"],
             [[r["scenario"], r["change"], r["watched_from"], r["metric"], r["cell"],
               f"{r['mean']:,.0f}",
               f"{r['lower']:,.0f} to {r['upper']:,.0f}",
               f"{r['detected']} of {r['replications']}",
               "-" if r["median_months"] is None else str(r["median_months"]),
               f"{r['baseline_signals']} of {r['replications']}",
               f"{r['stable_limits']} of {r['replications']}"]
              for r in spc_rows])]))
        for k, (title_, path) in enumerate(spc_figs):
            secs.insert(len(secs) - 2, (title_, [("fig", path)]))
    import report_uncertainty as ru
    unc_secs, split_rows, driver_rows, unc_summary = ru.section(
        res, headline_metrics, outdir, source_line(res), not args.no_figures)
    if unc_summary:  # in the summary, after the differences, before the note on intervals
        secs[0][1].insert(len(secs[0][1]) - 1, ("p", "How sure, given the uncertain inputs "
                                                     "(the sections on uncertain inputs say "
                                                     "what drives each measure):"))
        secs[0][1].insert(len(secs[0][1]) - 1, ("list", unc_summary))
    if split_rows:
        write_csv(os.path.join(outdir, "tables", "uncertainty_split.csv"), split_rows,
                  ru.SPLIT_KEYS)
        write_csv(os.path.join(outdir, "tables", "uncertainty_drivers.csv"), driver_rows,
                  ru.DRIVER_KEYS)
    if args.sensitivity:
        unc_secs.append(("One-way sensitivity", ru.sensitivity_blocks(
            args.sensitivity, os.path.join(outdir, "figures"), source_line(res),
            not args.no_figures)))
    for s_ in unc_secs:
        secs.insert(len(secs) - 2, s_)
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write(render_md(title, secs, outdir))
    with open(os.path.join(outdir, "report.html"), "w") as f:
        f.write(render_html(title, secs))
    # The headline table on the terminal: the last date of each scenario.
    when = res.scenarios[0].dates[-1]
    last = [r for r in heads if r["date"] == when]
    key = [r for r in last if r["metric"] in ("waiting_list_size", "over_52_weeks")] or last
    print(md_table(HEAD_COLS, [fmt_row(r) for r in key[:16]]))
    said = [d for d in diffs if d["date"] == when and not d["ci_low"] <= 0 <= d["ci_high"]]
    said.sort(key=lambda d: d["metric"] != "over_52_weeks")
    if said:
        print()
    for d in said[:6]:
        print(f"- {d['words']}")
    if unc_summary:
        print("\nHow sure, given the uncertain inputs:")
        for line in unc_summary:
            print(f"- {line}")
    print(f"\nreport: {os.path.join(outdir, 'report.html')} (and report.md, tables/, figures/)")


def export_summaries(res, outdir):
    """summary.csv and comparisons.csv: every summary, one row per cell and date."""
    os.makedirs(outdir, exist_ok=True)
    dims = sorted({d for sc in res.scenarios for m in sc.metrics.values() for d in m.dims})
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "date", "model", "metric"] + dims + rd.STATS + ["units"])
        for sc in res.scenarios:
            for m in sc.metrics.values():
                summary_rows(w, sc.name, sc, m, dims)
    with open(os.path.join(outdir, "comparisons.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "baseline", "date", "model", "metric"] + dims + rd.STATS +
                   ["units"])
        for sc in res.scenarios:
            for m in res.comparisons.get(sc.name, {}).values():
                summary_rows(w, f"{sc.name},{res.baseline}", sc, m, dims, split=True)


def cell_columns(m, cell, dims):
    return [cell[m.dims.index(d)] if d in m.dims else "" for d in dims]


def summary_rows(w, key, sc, m, dims, split=False):
    s = m.flat_summary()
    cells = m.cells()
    lead = key.split(",") if split else [key]
    for t in range(s.shape[0]):
        date = sc.dates[t] if m.kind == "series" else ""
        for c, cell in enumerate(cells):
            w.writerow(lead + [date, m.model, m.name] + cell_columns(m, cell, dims) +
                       [repr_csv(float(x)) for x in s[t, c]] + [m.units])


def cmd_export(args):
    res = rd.load(args.file)
    os.makedirs(args.csv, exist_ok=True)
    dims = sorted({d for sc in res.scenarios for m in sc.metrics.values() for d in m.dims})
    path = os.path.join(args.csv, "values.csv")
    n = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "replication", "date", "model", "metric"] + dims +
                   ["value", "units"])
        for sc in res.scenarios:
            for m in sc.metrics.values():
                v = m.flat_values()
                cells = m.cells()
                for r, rep in enumerate(sc.replication_numbers):
                    for t in range(v.shape[1]):
                        date = sc.dates[t] if m.kind == "series" else ""
                        for c, cell in enumerate(cells):
                            w.writerow([sc.name, int(rep), date, m.model, m.name] +
                                       cell_columns(m, cell, dims) +
                                       [repr_csv(float(v[r, t, c])), m.units])
                            n += 1
    export_summaries(res, args.csv)
    print(f"export: {n:,} values in {path}; summaries in summary.csv and comparisons.csv")


def cmd_model(args):
    import report_model
    report_model.write(args, rd.load(args.file))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("results")
    p.add_argument("file")
    p.add_argument("-o", "--output")
    p.add_argument("--dates")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--sensitivity")
    p = sub.add_parser("export")
    p.add_argument("file")
    p.add_argument("--csv", required=True)
    p = sub.add_parser("model")
    p.add_argument("file")
    p.add_argument("scenario_path")
    p.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    {"results": cmd_results, "export": cmd_export, "model": cmd_model}[args.cmd](args)


if __name__ == "__main__":
    main()
