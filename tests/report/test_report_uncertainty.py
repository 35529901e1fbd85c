#!/usr/bin/python3
"""ctest: the report's uncertainty section (scripts/report_uncertainty.py).

    test_report_uncertainty.py CAPSIM_BINARY SOURCE_DIR WORK_DIR

A queue whose monthly services are a known function of one uncertain input: the arrival
rate R ~ triangular(40, 60, 80) a day, with 10 servers and a mean service of at most 0.05
days (load 0.3 or less), so the services started in March (31 days) are Poisson(31 R) given
R. A second uncertain input, the mean service time (uniform 0.04 to 0.05 days), leaves them
unchanged. Then:

  Var_inputs = 31^2 Var(R) = 961 x 1200 / 18 = 64,067,  Var_noise = 31 E[R] = 1,860,

and the SRC of the rate, over the replications, is the correlation of the services with R:
rho = sqrt(64,067 / 65,927) = 0.98579. Its standard error is about (1 - rho^2) / sqrt(n)
with n the 100 input samples (the two runs of a sample share R): 0.0028; the tolerance is 4
of them, 0.012. The SRC of the service time is near 0 with standard error sqrt((1 - R^2) /
n) = 0.017; tolerance 4 of them, 0.07.

Checks: the section's numbers equal those computed here from the file with h5py; the
rate is ranked first with SRC within the tolerance of rho; the section is absent when no
input is uncertain; the HTML renders in headless Chromium with the tornado image in the PDF;
`--sensitivity DIR` adds the one-way table of `capsim sensitivity` and bad DIRs exit 2.
"""
import csv
import math
import os
import re
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np

CAPSIM, SOURCE, WORK = sys.argv[1:4]

RHO = math.sqrt(961 * 1200 / 18 / (961 * 1200 / 18 + 31 * 60))
RHO_TOL = 4 * (1 - RHO ** 2) / math.sqrt(100)
NULL_TOL = 4 * math.sqrt((1 - RHO ** 2) / 100)

SCENARIO = """name: {name}
start_date: 2024-04-01
horizon_days: 365
seed: 11
replications: 200
queue:
  arrivals: {{per_day: {rate}}}
  servers: 10
  service_days: {{exponential: {{mean: {service}}}}}
"""
UNCERTAIN = dict(name="unc-queue", rate="{uncertain: {triangular: {min: 40, mode: 60, max: 80}}}",
                 service="{uncertain: {uniform: {min: 0.04, max: 0.05}}}")
FIXED = dict(name="fixed-queue", rate="60", service="0.045")
RESULTS = os.path.join(WORK, "unc.h5")
REPORT = os.path.join(WORK, "unc_report")
FIXED_RESULTS = os.path.join(WORK, "fixed.h5")
FIXED_REPORT = os.path.join(WORK, "fixed_report")
SENS = os.path.join(WORK, "sens")
SENS_REPORT = os.path.join(WORK, "sens_report")


def run(*args, code=0):
    p = subprocess.run([CAPSIM, *args], capture_output=True, text=True, cwd=WORK)
    if p.returncode != code:
        raise AssertionError(f"capsim {' '.join(args)}: exit {p.returncode}, expected {code}\n"
                             f"{p.stdout}\n{p.stderr}")
    return p


def setUpModule():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    for spec, out in ((UNCERTAIN, RESULTS), (FIXED, FIXED_RESULTS)):
        path = os.path.join(WORK, spec["name"] + ".yaml")
        with open(path, "w") as f:
            f.write(SCENARIO.format(**spec))
        run("run", path, "-o", out, "-j", "2", *(["-r", "4"] if spec is FIXED else []))
    run("report", RESULTS)
    run("report", FIXED_RESULTS)
    run("sensitivity", os.path.join(WORK, "unc-queue.yaml"), "--metric", "queue/served",
        "-r", "2", "--samples", "8", "-o", SENS)
    run("report", RESULTS, "--sensitivity", SENS, "-o", SENS_REPORT, "--no-figures")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def served_and_inputs():
    with h5py.File(RESULTS) as f:
        g = f["scenarios/unc-queue"]
        y = g["queue/series/served"][:, -1, 0]
        rate = g["inputs/reps/queue_arrivals_per_day"][()]
        mean = g["inputs/reps/queue_service_days_exponential_mean"][()]
        m = int(g.attrs["runs_per_sample"])
    return y.astype(float), np.column_stack([rate, mean]), m


def standardised(X, y):
    Z = (X - X.mean(0)) / X.std(0)
    b, *_ = np.linalg.lstsq(Z, (y - y.mean()) / y.std(), rcond=None)
    return b


class Section(unittest.TestCase):
    def test_split_equals_an_anova_of_the_file(self):
        y, _, m = served_and_inputs()
        self.assertEqual(m, 2)
        groups = y.reshape(-1, m)
        noise = groups.var(axis=1, ddof=1).mean()
        inputs = max(0.0, groups.mean(axis=1).var(ddof=1) - noise / m)
        row = next(r for r in read_csv(os.path.join(REPORT, "tables", "uncertainty_split.csv"))
                   if r["metric"] == "served")
        self.assertEqual(row["date"], "2025-03-31")
        self.assertAlmostEqual(float(row["var_noise"]), noise, delta=1e-9 * noise)
        self.assertAlmostEqual(float(row["var_inputs"]), inputs, delta=1e-9 * inputs)
        self.assertAlmostEqual(float(row["pm_inputs"]), 1.96 * math.sqrt(inputs),
                               delta=1e-3 * math.sqrt(inputs))
        with open(os.path.join(REPORT, "report.md")) as f:
            md = f.read()
        summary = md[md.index("## Summary"):md.index("## Headline measures")]
        self.assertIn("How sure, given the uncertain inputs", summary)
        self.assertIn(f"- unc-queue: services started, all, March 2025: 95% interval from "
                      f"inputs \u00b1{1.959963984540054 * math.sqrt(inputs):,.0f}", summary)
        self.assertIn(f"services started, all, March 2025: 95% interval from inputs "
                      f"\u00b1{1.959963984540054 * math.sqrt(inputs):,.0f}, from simulation "
                      f"noise \u00b1{1.959963984540054 * math.sqrt(noise):,.0f}; driven most by "
                      "queue.arrivals.per_day", md)

    def test_drivers_equal_a_regression_of_the_file(self):
        y, X, _ = served_and_inputs()
        src = standardised(X, y)
        rows = [r for r in read_csv(os.path.join(REPORT, "tables", "uncertainty_drivers.csv"))
                if r["metric"] == "served"]
        self.assertEqual([r["path"] for r in rows],
                         ["queue.arrivals.per_day", "queue.service_days.exponential.mean"])
        self.assertEqual([r["rank"] for r in rows], ["1", "2"])
        for r, j in zip(rows, (0, 1)):
            self.assertAlmostEqual(float(r["src"]), src[j], places=9)
            lo, hi = np.quantile(X[:, j], [0.1, 0.9])
            change = y[X[:, j] >= hi].mean() - y[X[:, j] <= lo].mean()
            self.assertAlmostEqual(float(r["decile_change"]), change, places=9)
            # The tornado's change: the regression slope times the distance between deciles.
            A = np.column_stack([np.ones(len(y)), X])
            slope = np.linalg.lstsq(A, y, rcond=None)[0][1 + j]
            self.assertAlmostEqual(float(r["fitted_change"]), slope * (hi - lo),
                                   delta=1e-9 * abs(slope * (hi - lo)))
        self.assertLess(abs(float(rows[0]["src"]) - RHO), RHO_TOL)
        self.assertLess(abs(float(rows[1]["src"])), NULL_TOL)
        self.assertEqual((float(rows[0]["low"]), float(rows[0]["high"])), (40.0, 80.0))

    def test_markdown_ranked_table(self):
        with open(os.path.join(REPORT, "report.md")) as f:
            md = f.read()
        self.assertIn("## Uncertain inputs: unc-queue", md)
        self.assertIn("standardised regression coefficient (SRC)", md)
        self.assertIn("from each input's low decile to its high decile", md)
        self.assertIn("200 replications, 100 input samples of 2 runs: an SRC within about "
                      "\u00b10.20", md)
        y, X, _ = served_and_inputs()
        src = standardised(X, y)
        part = md[md.index("What drives **services started, all**"):]
        self.assertRegex(part, r"\| Rank \| Input \| Range \| SRC \| SRRC \| Low to high "
                               r"decile \|\n\|---\|---\|---\|---\|---\|---\|\n"
                               rf"\| 1 \| queue\.arrivals\.per_day \| 40 to 80 \| {src[0]:.2f} \|")
        self.assertIn("![Uncertain inputs: unc-queue](figures/tornado_unc-queue.png)", md)
        # The drawn inputs are not headline measures.
        self.assertNotIn("drawn for this replication", md)

    def test_html_renders_with_the_tornado(self):
        html_path = os.path.join(REPORT, "report.html")
        with open(html_path) as f:
            html = f.read()
        self.assertIn("<img alt='Uncertain inputs: unc-queue' src='data:image/png;base64,", html)
        pdf = os.path.join(WORK, "unc.pdf")
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                        "file://" + html_path], capture_output=True, timeout=300, check=True)
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn("Uncertain inputs: unc-queue", text)
        self.assertIn("What drives", text)
        # Every embedded figure is an image of the PDF, the 1200 x 700 tornado among them.
        images = subprocess.run(["pdfimages", "-list", pdf], capture_output=True, text=True,
                                check=True).stdout.splitlines()[2:]
        sizes = [tuple(int(x) for x in line.split()[3:5]) for line in images
                 if line.split()[2] == "image"]
        self.assertEqual(len(sizes), html.count("data:image/png;base64,"))
        self.assertIn((1200, 700), sizes)
        with open(os.path.join(REPORT, "figures", "tornado_unc-queue.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_absent_without_uncertain_inputs(self):
        with open(os.path.join(FIXED_REPORT, "report.md")) as f:
            md = f.read()
        self.assertIn("## Headline measures", md)
        self.assertNotIn("Uncertain inputs", md)
        self.assertNotIn("How sure", md)
        self.assertNotIn("SRC", md)
        for p in ("tables/uncertainty_split.csv", "tables/uncertainty_drivers.csv",
                  "figures/tornado_fixed-queue.png"):
            self.assertFalse(os.path.exists(os.path.join(FIXED_REPORT, p)), p)


class Sensitivity(unittest.TestCase):
    def test_one_way_table_from_capsim_sensitivity(self):
        rows = read_csv(os.path.join(SENS, "sensitivity_oneway.csv"))
        rows.sort(key=lambda r: -abs(float(r["swing"])))
        self.assertEqual(rows[0]["input"], "queue.arrivals.per_day")
        with open(os.path.join(SENS_REPORT, "report.md")) as f:
            md = f.read()
        self.assertIn("## One-way sensitivity", md)
        self.assertIn(f"From `capsim sensitivity` for queue/served", md)
        r = rows[0]
        self.assertIn(f"| 1 | queue.arrivals.per_day | 40 | 80 | "
                      f"{float(r['metric_at_low']):,.4g} | {float(r['metric_at_high']):,.4g} | "
                      f"{float(r['swing']):+,.4g} |", md)

    def test_bad_sensitivity_folder(self):
        out = os.path.join(WORK, "no_report")
        p = run("report", RESULTS, "--sensitivity", os.path.join(WORK, "nowhere"), "-o", out,
                code=2)
        self.assertEqual(p.stderr, "capsim report: --sensitivity: "
                                   f"{os.path.join(WORK, 'nowhere', 'sensitivity_oneway.csv')}: "
                                   "no such file (capsim sensitivity -o DIR writes it)\n")
        bad = os.path.join(WORK, "badsens")
        os.makedirs(bad, exist_ok=True)
        with open(os.path.join(bad, "sensitivity_oneway.csv"), "w") as f:
            f.write("a,b\n1,2\n")
        p = run("report", RESULTS, "--sensitivity", bad, "-o", out, code=2)
        self.assertTrue(re.match(r"capsim report: --sensitivity: .*sensitivity_oneway\.csv:1: "
                                 r"not a capsim sensitivity one-way table", p.stderr), p.stderr)
        self.assertFalse(os.path.exists(out))  # nothing written


class ExampleScenarios(unittest.TestCase):
    def test_demo_report_shows_which_assumptions_matter(self):
        out = os.path.join(WORK, "demo.h5")
        run("run", os.path.join(SOURCE, "scenarios", "demo-snee-orthopaedics.yaml"), "-r", "30",
            "--set", "horizon_days=120", "-o", out, "-j", "2")
        run("report", out, "--no-figures")
        with open(os.path.join(WORK, "demo_report", "report.md")) as f:
            md = f.read()
        self.assertIn("## Uncertain inputs: Separate lists", md)
        self.assertIn("## Uncertain inputs: DCMC lists", md)
        self.assertIn("10 uncertain input(s), 30 replications, 15 input samples of 2 runs", md)
        self.assertTrue(re.search(r"What drives \*\*waiting list, WSFT\*\*.*\n\n\| Rank \| Input",
                                  md), "no ranked table for the WSFT waiting list")
        self.assertTrue("| specialties[0].decision_to_admit | 0.18 to 0.25 |" in md,
                        "the decision-to-admit share not in a ranked table")

    def test_uncertain_inputs_state_assumption_and_range(self):
        """The convention of docs/uncertainty.md: an uncertain input in a scenario file has,
        in the comment lines just above it, an `Assumption:` and the `Range` with its reason."""
        scen = os.path.join(SOURCE, "scenarios")
        marked = []
        for name in sorted(os.listdir(scen)):
            with open(os.path.join(scen, name)) as f:
                lines = f.read().splitlines()
            if any(line.startswith("scenarios:") for line in lines):
                continue  # a batch: its header comment gives the ranges
            for i, line in enumerate(lines):
                if "{uncertain:" not in line:
                    continue
                marked.append(name)
                above = []
                for prev in reversed(lines[:i]):
                    if not prev.strip().startswith("#"):
                        break
                    above.insert(0, prev.strip())
                text = " ".join(above)
                self.assertIn("Assumption:", text, f"{name}:{i + 1}")
                self.assertRegex(text, r"\b[Rr]ange\b", f"{name}:{i + 1}")
        for name in ("queue-clinic.yaml", "ucch-pilot.yaml", "virtual-ward-two-trusts.yaml",
                     "beds-snee.yaml", "national-rtt-2021.yaml"):
            self.assertIn(name, marked)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
