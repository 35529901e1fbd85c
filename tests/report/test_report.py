#!/usr/bin/python3
"""ctest: capsim report, capsim export and the results file in netCDF tools.

    test_report.py CAPSIM_BINARY SOURCE_DIR WORK_DIR BUILD_DIR

Runs a small batch (the SNEE baseline and the DCMC variant over 900 days to Feb 2025, 3 replications),
then checks that: the report's numbers equal the file's; the CSV parses and round-trips to
the file's values; the HTML renders in headless Chromium and prints to a PDF of the expected
pages; figures are non-empty PNGs of the expected size with PDFs; netCDF4, xarray and
`ncdump -h` open the file, with stat and group labels as coordinates and time as dates;
`capsim report --model` writes a STRESS-DES report; bad input fails with exit 2.
"""
import csv
import datetime
import glob
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import unittest

import h5py
import numpy as np

CAPSIM, SOURCE, WORK, BUILD = sys.argv[1:5]
sys.path.insert(0, os.path.join(SOURCE, "scripts"))
import report_data as rd  # noqa: E402

RESULTS = os.path.join(WORK, "report-test.h5")
REPORT = os.path.join(WORK, "report-test_report")
STATS = rd.STATS


def run(*args, code=0):
    p = subprocess.run([CAPSIM, *args], capture_output=True, text=True, cwd=WORK)
    if p.returncode != code:
        raise AssertionError(f"capsim {' '.join(args)}: exit {p.returncode}, expected {code}\n"
                             f"{p.stdout}\n{p.stderr}")
    return p


def setUpModule():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    scen = os.path.join(SOURCE, "scenarios")
    # The SNEE scenario's uncertain inputs pinned at their central values: the report's
    # tables then hold the elective model alone (uncertain inputs: test_uncertain).
    with open(os.path.join(WORK, "batch.yaml"), "w") as f:
        f.write(f"""name: report-test
replications: 3
scenarios:
  - file: {scen}/snee-orthopaedics.yaml
    set:
      horizon_days: 900
      specialties[0].decision_to_admit: 0.21
      specialties[0].selection.in_turn: 0
      specialties[0].outpatient_selection.in_turn: 0
      specialties[0].lists.WSFT.backlog.admitted_share: 0.35
      specialties[0].lists.ESNEFT.backlog.admitted_share: 0.35
      specialties[0].lists.WSFT.non_admitted_per_week: 126
      specialties[0].lists.ESNEFT.non_admitted_per_week: 271
      specialties[0].case_mix[0].minutes.lognormal.sd: 28.5
      specialties[0].case_mix[1].minutes.lognormal.sd: 30
      specialties[0].case_mix[2].minutes.lognormal.sd: 54
  - file: {scen}/snee-orthopaedics-dcmc.yaml
    set:
      horizon_days: 900
      specialties[0].decision_to_admit: 0.21
      specialties[0].selection.in_turn: 0
      specialties[0].outpatient_selection.in_turn: 0
      specialties[0].lists.WSFT.backlog.admitted_share: 0.35
      specialties[0].lists.ESNEFT.backlog.admitted_share: 0.35
      specialties[0].lists.WSFT.non_admitted_per_week: 126
      specialties[0].lists.ESNEFT.non_admitted_per_week: 271
      specialties[0].case_mix[0].minutes.lognormal.sd: 28.5
      specialties[0].case_mix[1].minutes.lognormal.sd: 30
      specialties[0].case_mix[2].minutes.lognormal.sd: 54
""")
    run("run", "batch.yaml", "-o", RESULTS, "-j", "2")
    global LAST
    with h5py.File(RESULTS) as f:
        LAST = f["scenarios/snee-orthopaedics/time_label"].asstr()[-1]
    run("report", RESULTS, "--dates", LAST)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def summary(f, scenario, metric):
    return f[f"scenarios/{scenario}/elective/summary/{metric}"][()]


class Report(unittest.TestCase):
    def test_files(self):
        for p in ["report.md", "report.html", "tables/headline.csv", "tables/differences.csv",
                  "tables/summary.csv", "tables/comparisons.csv"]:
            self.assertTrue(os.path.getsize(os.path.join(REPORT, p)) > 100, p)

    def test_headline_numbers_equal_the_file(self):
        rows = read_csv(os.path.join(REPORT, "tables", "headline.csv"))
        self.assertTrue(rows)
        cells = ["WSFT/trauma-orthopaedics", "ESNEFT/trauma-orthopaedics"]
        with h5py.File(RESULTS) as f:
            labels = list(f["scenarios/snee-orthopaedics/time_label"].asstr()[()])
            checked = 0
            for r in rows:
                s = summary(f, r["scenario"], r["metric"])
                c = cells.index({"WSFT": cells[0], "ESNEFT": cells[1]}[r["cell"]])
                if r["date"] == "whole run":  # a whole-run outcome: [cell, stat]
                    st = dict(zip(STATS, s[c]))
                else:
                    self.assertEqual(r["date"], LAST)
                    st = dict(zip(STATS, s[labels.index(r["date"]), c]))
                self.assertEqual(float(r["mean"]), st["mean"])
                self.assertEqual(float(r["pi_low"]), st["q025"])
                self.assertEqual(float(r["pi_high"]), st["q975"])
                if r["ci_method"] == "t":
                    self.assertEqual(float(r["ci_low"]), st["ci_low"])
                    self.assertEqual(float(r["ci_high"]), st["ci_high"])
                else:  # a count's interval stays within what the replications show
                    self.assertEqual(r["ci_method"], "bootstrap")
                    self.assertGreaterEqual(float(r["ci_low"]), max(0.0, st["min"]))
                    self.assertLessEqual(float(r["ci_high"]), st["max"])
                checked += 1
        names = {r["metric"] for r in rows}
        self.assertTrue({"waiting_list_size", "over_52_weeks", "capped_utilisation",
                         "mean_wait_treated_weeks"} <= names)
        self.assertEqual(checked, len(rows))

    def test_markdown_quotes_the_file(self):
        with open(os.path.join(REPORT, "report.md")) as f:
            md = f.read()
        with h5py.File(RESULTS) as f:
            s = summary(f, "snee-orthopaedics", "over_52_weeks")[-1, 0]
            c = f["comparisons/snee-orthopaedics-dcmc__vs__snee-orthopaedics/elective/"
                  "over_52_weeks"][-1, 0]
        mean = f"{s[0]:,.0f}"
        self.assertRegex(md, rf"\| Separate lists \| 52-week waiters \| WSFT \| [A-Z][a-z]+ "
                             rf"\d{{4}} \| {mean} \|")
        when = rd.month_words(LAST)
        words = (f"DCMC lists lowers WSFT's 52-week waiters in {when} by {-c[0]:,.0f} (95% CI "
                 f"{-c[3]:,.0f} to {-c[2]:,.0f}) compared with Separate lists.")
        self.assertIn(words, md)
        # Labels, not ids; both bands named; provenance and assumptions.
        self.assertIn("95% PI", md)
        self.assertIn("95% CI", md)
        self.assertIn("bootstrap percentile", md)
        self.assertIn("Theatres run 46 weeks a year", md)
        with h5py.File(RESULTS) as f:
            self.assertIn(f.attrs["git_commit"], md)
            self.assertIn(f["scenarios/snee-orthopaedics"].attrs["scenario_sha256"], md)
        self.assertNotRegex(md, r"\d[eE][+-]\d")  # no scientific notation

    def test_differences_equal_the_file(self):
        rows = read_csv(os.path.join(REPORT, "tables", "differences.csv"))
        self.assertTrue(rows)
        with h5py.File(RESULTS) as f:
            g = f["comparisons/snee-orthopaedics-dcmc__vs__snee-orthopaedics/elective"]
            for r in rows:
                c = 0 if r["cell"] == "WSFT" else 1
                d = g[r["metric"]]
                st = d[c] if r["date"] == "whole run" else d[-1, c]
                self.assertEqual(float(r["mean"]), st[0])
                self.assertEqual(float(r["ci_low"]), st[2])
                self.assertEqual(float(r["ci_high"]), st[3])

    def test_figures(self):
        pngs = sorted(glob.glob(os.path.join(REPORT, "figures", "*.png")))
        stems = [os.path.basename(p)[:-4] for p in pngs]
        self.assertEqual(stems, ["elective_capped_utilisation", "elective_over_52_weeks",
                                 "elective_over_52_weeks_difference",
                                 "elective_waiting_list_size",
                                 "elective_waiting_list_size_difference",
                                 "spc_snee-orthopaedics-dcmc_0", "spc_snee-orthopaedics-dcmc_1"])
        for p in pngs:
            with open(p, "rb") as f:
                head = f.read(24)
            self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
            w, h = struct.unpack(">II", head[16:24])
            self.assertEqual((w, h), (1200, 700), p)
            self.assertGreater(os.path.getsize(p), 20000, p)
            with open(p[:-4] + ".pdf", "rb") as f:
                self.assertEqual(f.read(5), b"%PDF-")

    def test_html_prints_to_pdf(self):
        html_path = os.path.join(REPORT, "report.html")
        with open(html_path) as f:
            html = f.read()
        self.assertNotIn("src='figures/", html)  # self-contained
        self.assertEqual(html.count("data:image/png;base64,"), 7)
        sections = html.count("<section class='page'>")
        # Summary, headline, whole run, differences, 5 figures, the SPC table, 2 SPC charts,
        # scenarios, provenance: a page each.
        self.assertEqual(sections, 14)
        pdf = os.path.join(WORK, "report.pdf")
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        "file://" + html_path], capture_output=True, timeout=300, check=True)
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True)
        pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))
        self.assertEqual(pages, sections)
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn("Headline measures", text)
        self.assertIn("DCMC lists lowers WSFT", text)


class SPC(unittest.TestCase):
    def test_limits_and_detection_equal_the_file(self):
        import spc
        rows = read_csv(os.path.join(REPORT, "tables", "spc.csv"))
        self.assertEqual({r["cell"] for r in rows},
                         {"WSFT/trauma-orthopaedics", "ESNEFT/trauma-orthopaedics"})
        with h5py.File(RESULTS) as f:
            labels = list(f["scenarios/snee-orthopaedics/time_label"].asstr()[()])
            base = f["scenarios/snee-orthopaedics/elective/series/over_52_weeks"][()]
            dcmc = f["scenarios/snee-orthopaedics-dcmc/elective/series/over_52_weeks"][()]
        for r in rows:
            c = 0 if r["cell"].startswith("WSFT") else 1
            at, first = labels.index(r["watched_from"]), labels.index(r["limits_from"])
            self.assertEqual(r["change"], r["watched_from"])   # the DCMC is 23 months in
            self.assertEqual(at - first, 12)
            # Replication 0's limits are the row's; every replication has its own.
            mean, _, lo, hi = spc.xmr_limits([float(x) for x in base[0, first:at, c]])
            self.assertAlmostEqual(float(r["mean"]), mean)
            self.assertAlmostEqual(float(r["upper"]), hi)
            months, alarms, stable = [], 0, 0
            for k in range(dcmc.shape[0]):
                m, _, lo, hi = spc.xmr_limits([float(x) for x in base[k, first:at, c]])
                months.append(spc.months_to_signal([float(x) for x in dcmc[k, at:, c]], m, lo, hi))
                alarms += spc.months_to_signal([float(x) for x in base[k, at:, c]],
                                               m, lo, hi) is not None
                stable += not any(spc.special_causes([float(x) for x in base[k, first:at, c]],
                                                     m, lo, hi))
            found = sorted(x for x in months if x is not None)
            self.assertEqual(int(r["detected"]), len(found))
            self.assertEqual(r["median_months"], str(found[len(found) // 2]) if found else "")
            self.assertEqual(int(r["baseline_signals"]), alarms)
            self.assertEqual(int(r["stable_limits"]), stable)
        with open(os.path.join(REPORT, "report.md")) as f:
            self.assertIn("Would a board see it? SPC charts", f.read())
        self.assertTrue(os.path.exists(os.path.join(REPORT, "figures",
                                                    "spc_snee-orthopaedics-dcmc_0.png")))


class Export(unittest.TestCase):
    def test_csv_round_trips(self):
        out = os.path.join(WORK, "csv")
        p = run("export", RESULTS, "--csv", out)
        self.assertIn("values in", p.stdout)
        rows = read_csv(os.path.join(out, "values.csv"))
        self.assertEqual(list(rows[0].keys()), ["scenario", "replication", "date", "model",
                                                "metric", "list", "value", "units"])
        with h5py.File(RESULTS) as f:
            total = 0
            for sc in ("snee-orthopaedics", "snee-orthopaedics-dcmc"):
                g = f[f"scenarios/{sc}/elective"]
                for kind in ("series", "reps"):
                    for name, d in g[kind].items():
                        if d.attrs.get("CLASS") is not None:
                            continue  # a dimension scale
                        total += d.size
            self.assertEqual(len(rows), total)
            # Rebuild one series from the CSV and compare value by value.
            d = f["scenarios/snee-orthopaedics-dcmc/elective/series/over_52_weeks"][()]
            dates = list(f["scenarios/snee-orthopaedics-dcmc/time_label"].asstr()[()])
            lists = list(f["scenarios/snee-orthopaedics-dcmc/elective/list"].asstr()[()])
            got = np.full(d.shape, np.nan)
            for r in rows:
                if r["scenario"] == "snee-orthopaedics-dcmc" and r["metric"] == "over_52_weeks":
                    got[int(r["replication"]), dates.index(r["date"]),
                        lists.index(r["list"])] = float(r["value"])
                    self.assertEqual(r["units"], "patients")
            np.testing.assert_array_equal(got, d)
        srows = read_csv(os.path.join(out, "summary.csv"))
        with h5py.File(RESULTS) as f:
            s = f["scenarios/snee-orthopaedics/elective/summary/mean_wait_treated_weeks"][()]
        mine = [r for r in srows if r["scenario"] == "snee-orthopaedics"
                and r["metric"] == "mean_wait_treated_weeks"]
        self.assertEqual(len(mine), 2)
        for i, r in enumerate(mine):
            self.assertEqual([float(r[k]) for k in STATS], list(s[i]))
        crows = read_csv(os.path.join(out, "comparisons.csv"))
        self.assertEqual({r["baseline"] for r in crows}, {"snee-orthopaedics"})

    def test_bad_usage(self):
        p = run("report", os.path.join(SOURCE, "README.md"), "-o", os.path.join(WORK, "no"),
                code=1)
        self.assertTrue(p.stderr.startswith(f"capsim: {os.path.join(SOURCE, 'README.md')}: "
                                            "cannot read it as an HDF5 file"), p.stderr)
        p = run("export", os.path.join(WORK, "nothing.h5"), "--csv", "x", code=2)
        self.assertEqual(p.stderr, f"capsim export: {os.path.join(WORK, 'nothing.h5')}: "
                                   "no such file\n")
        p = run("export", RESULTS, code=2)
        self.assertTrue(p.stderr.startswith("capsim export: --csv DIR is required\n"))
        p = run("report", "--dates", code=2)
        self.assertTrue(p.stderr.startswith("capsim report: --dates needs a value\n"))
        p = run("report", RESULTS, "--dates", "2023-02-30", "-o", os.path.join(WORK, "no"),
                code=1)
        self.assertIn("--dates: 2023-02-30 is not a snapshot date", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(WORK, "no")))  # nothing written


class ReadResults(unittest.TestCase):
    def test_comparisons(self):
        p = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "scripts", "read_results.py"),
                            RESULTS, "snee-orthopaedics-dcmc", "--comparisons"],
                           capture_output=True, text=True, check=True)
        with h5py.File(RESULTS) as f:
            c = f["comparisons/snee-orthopaedics-dcmc__vs__snee-orthopaedics/elective/"
                  "over_52_weeks"][-1, 0]
        line = next(x for x in p.stdout.splitlines()
                    if x.startswith("elective/over_52_weeks ") and "WSFT" in x)
        self.assertIn(f"{c[0]:,.1f}", line)
        self.assertIn(f"[{c[2]:,.1f}, {c[3]:,.1f}]", line)
        self.assertTrue(p.stdout.startswith("snee-orthopaedics-dcmc - snee-orthopaedics: paired "
                                            "differences over 3 replications\n"))


class ModelReport(unittest.TestCase):
    def test_stress_des(self):
        out = os.path.join(WORK, "model")
        run("report", "--model", os.path.join(SOURCE, "scenarios", "snee-orthopaedics-dcmc.yaml"),
            "-o", out)
        with open(os.path.join(out, "model_report.md")) as f:
            md = f.read()
        for h in ["1. Objectives", "2. Logic", "3. Data", "4. Experimentation",
                  "5. Implementation", "6. Code access"]:
            self.assertIn(f"## {h}", md)
        self.assertIn("| elective | over_52_weeks | month-end series | patients | list |", md)
        self.assertIn("Assumption: clinical review raises P4 patients to P3 after a year.", md)
        self.assertIn("Philox4x64-10", md)
        self.assertIn("| theatres[2].sessions[1].from | 2024-08-01 |", md)

    def test_bad_scenario(self):
        bad = os.path.join(WORK, "bad.yaml")
        with open(bad, "w") as f:
            f.write("name: x\nassumptions: [fine, {not: text}]\n")
        out = os.path.join(WORK, "bad_report")
        p = run("report", "--model", bad, "-o", out, code=2)
        self.assertEqual(p.stderr, f"capsim: {bad}:2:21: assumptions[1]: expected a string, "
                                   "got a map\n")
        self.assertFalse(os.path.exists(out))


class Labels(unittest.TestCase):
    def test_label_and_assumptions_survive_shards_and_merge(self):
        scen = os.path.join(WORK, "labelled.yaml")
        with open(scen, "w") as f:
            f.write(f"extends: {SOURCE}/scenarios/queue-clinic.yaml\nname: labelled\n"
                    "label: Weekday clinic\nassumptions:\n  - Referrals are Poisson.\n"
                    "  - \"Clinicians work 08:00-16:00, caf\u00e9 closed\"\n")
        for i in (1, 2):
            run("run", scen, "-r", "4", "--shard", f"{i}/2", "-o", f"labelled-{i}.h5")
        run("merge", "labelled-1.h5", "labelled-2.h5", "-o", "labelled.h5")
        with h5py.File(os.path.join(WORK, "labelled.h5")) as f:
            g = f["scenarios/labelled"]
            self.assertEqual(g.attrs["label"], "Weekday clinic")
            self.assertEqual(list(g.attrs["assumptions"]),
                             ["Referrals are Poisson.", "Clinicians work 08:00-16:00, caf\u00e9 closed"])
            self.assertIn("weekday clinic", g.attrs["description"].lower())


def synthetic_urgent_care(path):
    """A results file in capsim's layout with urgent-care-like models (built in parallel)."""
    rng = np.random.default_rng(5)
    labels = ["2025-04-01", "2025-04-30", "2025-05-31", "2025-06-30"]
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "capsim-results", "format_version": 2, "capsim_version": "t",
                        "git_commit": "abc", "created_utc": "2026-01-01T00:00:00Z",
                        "command_line": "synthetic", "base_seed": 1, "replications": 4,
                        "complete": 1, "baseline": "base", "scenarios": ["base", "hub"]})
        for name in ("base", "hub"):
            g = f.create_group(f"scenarios/{name}")
            g.attrs.update({"start_date": "2025-04-01", "horizon_days": 91.0,
                            "warmup_days": 0.0, "scenario_sha256": "0" * 64,
                            "replications": 4, "models": ["ucch", "vw"]})
            g["scenario_yaml"] = f"name: {name}\n"
            g["time"] = np.array([0.0, 30, 61, 91])
            g["time_label"] = labels
            g["replication"] = np.arange(4)
            for model, metrics in (("ucch", ["on_stack", "discussed", "transferred",
                                             "dispatches_avoided"]), ("vw", ["occupancy"])):
                mg = g.create_group(model)
                mg.attrs.update({"metrics": metrics, "dimensions": ["trust"],
                                 "group_dimension": "trust"})
                mg["trust"] = ["A", "B"]
                for i, metric in enumerate(metrics):
                    v = rng.poisson(100 / (i + 1), size=(4, 4, 2)).astype(float)
                    d = mg.create_dataset(f"series/{metric}", data=v)
                    d.attrs.update({"units": "patients", "description": f"{metric} in the month",
                                    "kind": "series", "dimensions": ["trust"]})
                    q = np.quantile(v, [0.025, 0.5, 0.975], axis=0)
                    st = np.stack([v.mean(0), v.std(0, ddof=1), v.mean(0) - 1, v.mean(0) + 1,
                                   np.ones((4, 2)), q[0], q[1], q[2], v.min(0), v.max(0),
                                   np.full((4, 2), 4.0)], axis=-1)
                    mg.create_dataset(f"summary/{metric}", data=st)


class OtherModels(unittest.TestCase):
    def test_urgent_care_figures(self):
        path = os.path.join(WORK, "urgent.h5")
        synthetic_urgent_care(path)
        run("report", path, "-o", os.path.join(WORK, "urgent_report"))
        stems = sorted(os.path.basename(p)[:-4] for p in
                       glob.glob(os.path.join(WORK, "urgent_report", "figures", "*.png")))
        self.assertIn("ucch_funnel", stems)
        self.assertIn("ucch_on_stack", stems)
        self.assertIn("vw_occupancy", stems)
        with open(os.path.join(WORK, "urgent_report", "report.md")) as f:
            md = f.read()
        self.assertIn("| base | occupancy in the month | A | June 2025 |", md)


class Install(unittest.TestCase):
    def test_installed_script_is_found(self):
        prefix = os.path.join(WORK, "inst")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True,
                       capture_output=True)
        script = os.path.join(prefix, "share", "capsim", "report.py")
        with open(script, "a") as f:  # mark the installed copy
            f.write("\nprint('installed copy')\n")
        env = {k: v for k, v in os.environ.items() if k != "CAPSIM_DATA_DIR"}
        p = subprocess.run([os.path.join(prefix, "bin", "capsim"), "export", RESULTS, "--csv",
                            os.path.join(WORK, "inst-csv")], capture_output=True, text=True,
                           env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.endswith("installed copy\n"), p.stdout)


class NetCDF(unittest.TestCase):
    def test_ncdump(self):
        p = subprocess.run(["ncdump", "-h", RESULTS], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("group: comparisons", p.stdout)

    def test_netcdf4_reads_every_variable(self):
        import netCDF4
        with netCDF4.Dataset(RESULTS) as ds, h5py.File(RESULTS) as f:
            def walk(g):
                yield g
                for sub in g.groups.values():
                    yield from walk(sub)
            n = 0
            for g in walk(ds):
                for v in g.variables.values():
                    data = v[...]
                    if v.dtype == np.float64:
                        np.testing.assert_array_equal(np.ma.filled(data, np.nan),
                                                      f[g.path][v.name][()])
                    n += 1
            self.assertGreater(n, 100)

    def test_xarray(self):
        import xarray as xr
        with h5py.File(RESULTS) as f:
            want = f["scenarios/snee-orthopaedics/elective/summary/over_52_weeks"][()]
            labels = list(f["scenarios/snee-orthopaedics/time_label"].asstr()[()])
            days = f["scenarios/snee-orthopaedics/time"][()]
        ds = xr.open_dataset(RESULTS, group="scenarios/snee-orthopaedics/elective/summary")
        got = ds.over_52_weeks.sel(stat="mean", list="WSFT/trauma-orthopaedics")
        np.testing.assert_array_equal(got.values, want[:, 0, 0])
        self.assertEqual(ds.time.dtype.kind, "M")
        start = datetime.datetime(2022, 9, 1)
        for t, lab, d in zip(ds.time.values, labels, days):
            # A snapshot is taken at the midnight that ends its labelled day; the CF
            # reference is one second earlier, so the decoded instant is 23:59:59 of that
            # day and the decoded date is the label.
            instant = datetime.datetime.fromisoformat(str(t)[:19])
            self.assertEqual(instant, start + datetime.timedelta(days=float(d), seconds=-1))
            self.assertEqual(instant.date().isoformat(), lab)
        series = xr.open_dataset(RESULTS, group="scenarios/snee-orthopaedics/elective/series")
        self.assertEqual(list(series.replication.values), [0, 1, 2])
        comp = xr.open_dataset(RESULTS, group="comparisons/snee-orthopaedics-dcmc__vs__"
                                              "snee-orthopaedics/elective")
        self.assertLess(float(comp.over_52_weeks.sel(stat="mean").isel(time=-1)[0]), 0)
        scen = xr.open_dataset(RESULTS, group="scenarios/snee-orthopaedics")
        self.assertEqual(scen.attrs["label"], "Separate lists")
        self.assertEqual(len(scen.attrs["assumptions"]), 7)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
