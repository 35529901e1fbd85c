#!/usr/bin/python3
"""The collaborative scenarios (Black Country, Working Together, AHA oral surgery): every file
checks, every batch runs with 2 replications (the alliance's with 4), and each collaboration does what its file says,
judged by paired differences (common random numbers) with their 95% CI from the results file
and recomputed here from the replications.

usage: test_collaboratives.py CAPSIM SOURCE_DIR WORK_DIR   (run by ctest)
"""
import glob
import math
import os
import shutil
import subprocess
import sys
import unittest

import h5py
import numpy as np

CAPSIM, SRC, WORK = sys.argv[1:4]
SCEN = os.path.join(SRC, "scenarios")
PATTERNS = ["black-country*.yaml", "working-together*.yaml", "aha-oral-surgery*.yaml",
            "aha-alliance*.yaml"]
BATCHES = {"black-country": 4, "working-together": 2, "aha-alliance": 3}
T_975 = {2: 12.706204736, 4: 3.182446305, 6: 2.570581836}  # Student t quantiles, 1, 3, 5 d.f.
RESULTS = {}


def run(name, reps=2):
    out = os.path.join(WORK, name + ".h5")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([CAPSIM, "run", os.path.join(SCEN, name + ".yaml"), "-r", str(reps),
                        "-j", "1", "--seed", "5", "--quiet", "--no-checkpoint", "-o", out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"capsim run {name}: exit {p.returncode}: {p.stderr}")
    return out


def setUpModule():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    for b in BATCHES:
        # The alliance's lists are small and cheap: four replications narrow the paired CIs.
        # The Black Country's capacities are uncertain inputs (one per list): six
        # replications, three input samples, for its paired comparison.
        reps = {"aha-alliance": 4, "black-country": 6}.get(b, 2)
        RESULTS[b] = h5py.File(run(b, reps), "r")


def tearDownModule():
    for f in RESULTS.values():
        f.close()


def reps(f, scenario, metric):
    return f[f"scenarios/{scenario}/elective/reps/{metric}"][:]


def series(f, scenario, metric):
    return f[f"scenarios/{scenario}/elective/series/{metric}"][:]


def lists(f, scenario):
    return [x.decode() if isinstance(x, bytes) else x
            for x in f[f"scenarios/{scenario}/elective/series/list"][:]]


def paired_ci(a, b):
    """Mean of a - b by replication and its 95% Student t interval."""
    d = np.asarray(a, float) - np.asarray(b, float)
    n = len(d)
    half = T_975[n] * d.std(ddof=1) / math.sqrt(n)
    return d.mean(), d.mean() - half, d.mean() + half


class Files(unittest.TestCase):
    def test_every_file_checks(self):
        files = sorted({f for p in PATTERNS for f in glob.glob(os.path.join(SCEN, p))})
        self.assertGreaterEqual(len(files), 12)
        for path in files:
            p = subprocess.run([CAPSIM, "check", path], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, f"{path}: {p.stderr}")
            self.assertIn(": ok: scenario", p.stdout + p.stderr, path)

    def test_batches_hold_their_scenarios(self):
        for b, n in BATCHES.items():
            self.assertEqual(len(RESULTS[b]["scenarios"]), n, b)
            self.assertEqual(len(RESULTS[b]["comparisons"]), n - 1, b)

    def test_oral_surgery_files_run(self):
        for name in ("aha-oral-surgery", "aha-oral-surgery-pooled"):
            with h5py.File(run(name), "r") as f:
                self.assertEqual(lists(f, name),
                                 ["GWH/oral-surgery", "SFT/oral-surgery", "RUH/oral-surgery"])


class BlackCountry(unittest.TestCase):
    f = property(lambda self: RESULTS["black-country"])

    def test_lists_are_eight_specialties_at_four_trusts(self):
        names = lists(self.f, "black-country-separate")
        self.assertEqual(len(names), 32)
        self.assertFalse([n for n in names if "critical" in n])   # no RTT pathway
        self.assertIn("RL4/ent", names)

    def test_referrals_follow_the_clock_starts(self):
        # RXK ophthalmology: 2,509 April 2023 clock starts x 7/30 / 0.91 = 643.3 a week. Two
        # Poisson years of ~30,000 give a mean within 0.5% (1 sd); 2% is four sd.
        i = lists(self.f, "black-country-separate").index("RXK/ophthalmology")
        year = series(self.f, "black-country-separate", "referrals")[:, 1:, i].sum(axis=1)
        days = series(self.f, "black-country-separate", "time")[-1]   # month ends after the start
        self.assertAlmostEqual(year.mean() / (days / 7.0), 2509 * 7 / 30 / 0.91,
                               delta=643.3 * 0.02)

    def test_single_ptl_narrows_the_spread_between_trusts(self):
        a = reps(self.f, "black-country-single-ptl", "wait_spread_between_trusts")
        b = reps(self.f, "black-country-separate", "wait_spread_between_trusts")
        mean, lo, hi = paired_ci(a, b)
        # About -1.2 weeks over the 18 months (6 replications, its uncertain capacities drawn).
        self.assertLess(hi, 0.0, f"paired difference {mean:.2f} weeks (CI {lo:.2f} to {hi:.2f})")
        self.assertLess(mean, -0.5)
        stored = self.f["comparisons/black-country-single-ptl__vs__black-country-separate"
                        "/elective/wait_spread_between_trusts"][:]
        self.assertAlmostEqual(stored[0], mean, places=9)
        self.assertAlmostEqual(stored[2], lo, places=6)
        self.assertAlmostEqual(stored[3], hi, places=6)

    def test_ent_pairs_move_only_their_own_patients(self):
        names = lists(self.f, "black-country-separate")
        for sc, pair in (("black-country-ent-dudley-wolverhampton", {"RNA/ent", "RL4/ent"}),
                         ("black-country-ent-sandwell-walsall", {"RXK/ent", "RBK/ent"})):
            moved = reps(self.f, sc, "patients_moved").sum(axis=0)
            for i, n in enumerate(names):
                if n in pair:
                    self.assertGreater(moved[i], 0, f"{sc} {n}")
                else:
                    self.assertEqual(moved[i], 0, f"{sc} {n}")


class WorkingTogether(unittest.TestCase):
    f = property(lambda self: RESULTS["working-together"])

    def test_seven_trusts_fifteen_sites(self):
        self.assertEqual(len(lists(self.f, "working-together-separate")), 7)
        with open(os.path.join(SCEN, "working-together-separate.yaml")) as fh:
            text = fh.read()
        self.assertEqual(text.count("{code: "), 15)
        pops = [float(l.split()[1]) for l in text.splitlines() if l.strip().startswith("population:")]
        self.assertEqual(len(pops), 7)
        self.assertAlmostEqual(sum(pops), 2.3e6, delta=5e3)

    def test_network_respects_the_travel_limit_and_narrows_the_spread(self):
        moved = reps(self.f, "working-together-networked", "patients_moved")
        km = reps(self.f, "working-together-networked", "distance_travelled_km")
        self.assertGreater(moved.sum(), 0)
        mask = moved > 0
        self.assertTrue(np.all(km[mask] / moved[mask] <= 40.0 + 1e-9))
        self.assertEqual(reps(self.f, "working-together-separate", "patients_moved").sum(), 0)
        mean, lo, hi = paired_ci(
            reps(self.f, "working-together-networked", "wait_spread_between_trusts"),
            reps(self.f, "working-together-separate", "wait_spread_between_trusts"))
        self.assertLess(hi, 0.0, f"paired difference {mean:.2f} (CI {lo:.2f} to {hi:.2f})")


class Alliance(unittest.TestCase):
    f = property(lambda self: RESULTS["aha-alliance"])

    def test_pooling_shortens_both_lists_a_year_on(self):
        sep, pool = "aha-oral-surgery-with-ent", "aha-oral-surgery-with-ent-pooled"
        names = lists(self.f, sep)
        a, b = series(self.f, pool, "waiting_list_size"), series(self.f, sep, "waiting_list_size")
        labels = list(self.f[f"scenarios/{sep}/time_label"].asstr()[()])
        self.assertEqual((labels[12], labels[24]), ("2022-06-30", "2023-06-30"))
        # Snapshot 12 is 30 June 2022 (pooling starts 1 July); 24 is 30 June 2023.
        for sp in ("paediatric-ent", "oral-surgery"):
            idx = [i for i, n in enumerate(names) if n.endswith("/" + sp)]
            self.assertEqual(len(idx), 3)
            np.testing.assert_array_equal(a[:, 12, idx], b[:, 12, idx])  # same until pooling
            mean, lo, hi = paired_ci(a[:, 24, idx].sum(axis=1), b[:, 24, idx].sum(axis=1))
            self.assertLess(hi, 0.0, f"{sp}: {mean:.0f} (CI {lo:.0f} to {hi:.0f})")

    def test_separate_lists_are_steady(self):
        # The backlogs are consistent with the flows: separate lists neither drain nor grow by
        # more than a tenth in the year (they used to fall by themselves, 23% and 10%).
        sep = "aha-oral-surgery-with-ent"
        names = lists(self.f, sep)
        b = series(self.f, sep, "waiting_list_size")
        for sp in ("paediatric-ent", "oral-surgery"):
            idx = [i for i, n in enumerate(names) if n.endswith("/" + sp)]
            ratio = b[:, 24, idx].sum(axis=1) / b[:, 12, idx].sum(axis=1)
            self.assertTrue(np.all(np.abs(ratio - 1) < 0.1), f"{sp}: {ratio}")

    def test_shared_staff_lists_shorten_the_pooled_lists(self):
        pool, shared = "aha-oral-surgery-with-ent-pooled", "aha-oral-surgery-with-ent-shared-staff"
        names = lists(self.f, pool)
        a, b = series(self.f, shared, "waiting_list_size"), series(self.f, pool, "waiting_list_size")
        sessions = {s: series(self.f, s, "sessions_run") for s in (pool, shared)}
        for sp in ("paediatric-ent", "oral-surgery"):
            idx = [i for i, n in enumerate(names) if n.endswith("/" + sp)]
            # Same until the extra lists' bookings begin (mid-June 2022, book_days_ahead before
            # 1 July): snapshot 11 is the end of May. By the end of June a booking into an
            # extra list can already change who is removed.
            np.testing.assert_array_equal(a[:, 11, idx], b[:, 11, idx])
            mean, lo, hi = paired_ci(a[:, 24, idx].sum(axis=1), b[:, 24, idx].sum(axis=1))
            self.assertLess(hi, 0.0, f"{sp}: {mean:.0f} (CI {lo:.0f} to {hi:.0f})")
            # One extra list a week from July 2022 to June 2023: 46 working weeks, and the
            # 44 of them after the first two (the lists are booked from a week's notice on)
            # at least. Snapshots 13..24 hold July 2022 to June 2023.
            extra = (sessions[shared][:, 13:25, idx].sum(axis=(1, 2))
                     - sessions[pool][:, 13:25, idx].sum(axis=(1, 2)))
            self.assertTrue(np.all((extra >= 40) & (extra <= 46)), f"{sp}: {extra}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
