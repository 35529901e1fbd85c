#!/usr/bin/python3
"""scripts/spc.py against a hand-computed XmR chart (run by ctest as test_spc)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import spc  # noqa: E402


class XmR(unittest.TestCase):
    def test_limits_by_hand(self):
        # 10, 12, 11, 13, 12: mean 11.6; moving ranges 2, 1, 2, 1 -> 1.5;
        # limits 11.6 -+ 3 x 1.5 / 1.128 = 11.6 -+ 3.98936...
        mean, mr, lo, hi = spc.xmr_limits([10, 12, 11, 13, 12])
        self.assertAlmostEqual(mean, 11.6)
        self.assertAlmostEqual(mr, 1.5)
        self.assertAlmostEqual(hi, 11.6 + 4.5 / 1.128)
        self.assertAlmostEqual(lo, 11.6 - 4.5 / 1.128)

    def test_rules(self):
        mean, lo, hi = 10.0, 7.0, 13.0
        #         0   1   2   3   4   5   6   7   8   9  10  11  12  13
        values = [10, 14, 10, 11, 11, 11, 11, 11, 11, 11, 10, 12.5, 9, 12.2]
        flags = spc.special_causes(values, mean, lo, hi)
        self.assertEqual(flags[1], ["astronomical"])
        for i in range(3, 10):          # seven points above the mean
            self.assertIn("shift", flags[i])
        self.assertNotIn("shift", flags[2])
        # 12.5 and 12.2 are beyond 12 (2/3 of the way to 13), in a window of three
        self.assertIn("two_of_three", flags[11])
        self.assertIn("two_of_three", flags[13])
        self.assertEqual(spc.first_signal(flags), 1)
        self.assertEqual(spc.first_signal(flags, 2), 3)

    def test_trend(self):
        values = [5, 6, 7, 8, 9, 10, 11, 10]
        flags = spc.special_causes(values, 8.0, 0.0, 100.0)
        for i in range(0, 7):
            self.assertIn("trend", flags[i])
        self.assertNotIn("trend", flags[7])
        # Six rising points are not a trend.
        flags = spc.special_causes([5, 6, 7, 8, 9, 10, 9], 8.0, 0.0, 100.0)
        self.assertFalse(any("trend" in f for f in flags))

    def test_six_on_one_side_is_not_a_shift(self):
        flags = spc.special_causes([11, 11, 11, 11, 11, 11, 9], 10.0, 0.0, 100.0)
        self.assertFalse(any("shift" in f for f in flags))


class SignalShowsWhenComplete(unittest.TestCase):
    """months_to_signal counts the points a board must see before the signal exists."""

    def test_astronomical_shows_at_its_point(self):
        self.assertEqual(spc.months_to_signal([10, 11, 14, 10], 10.0, 7.0, 13.0), 3)

    def test_shift_shows_at_its_seventh_point(self):
        # Seven points above the mean, none beyond 2/3 of the way to a limit: the first of
        # them is flagged once the run is complete, but a board sees it only at the seventh.
        values = [11] * 9
        self.assertEqual(spc.first_signal(spc.special_causes(values, 10.0, 7.0, 13.0)), 0)
        self.assertEqual(spc.months_to_signal(values, 10.0, 7.0, 13.0), 7)
        self.assertIsNone(spc.months_to_signal(values[:6], 10.0, 7.0, 13.0))

    def test_trend_and_two_of_three(self):
        self.assertEqual(spc.months_to_signal([4, 5, 6, 7, 8, 9, 9.5], 8.0, 0.0, 100.0), 7)
        # 2/3 of the way to 13 from 10 is 12: 12.5 then 12.2 two points later.
        self.assertEqual(spc.months_to_signal([12.5, 9, 12.2, 10], 10.0, 7.0, 13.0), 3)

    def test_no_signal(self):
        self.assertIsNone(spc.months_to_signal([10, 9, 11, 10, 9, 11], 10.0, 7.0, 13.0))


class BaselineThenWatch(unittest.TestCase):
    """Limits from the last N points before the change, rules on the points after it."""

    def test_limits_from_the_last_points_before_the_change(self):
        # The first point (100) is outside the 5 limit points: the limits are those of
        # 10, 12, 11, 13, 12 (mean 11.6, 11.6 -+ 3.98936), computed by hand above.
        w = spc.baseline_then_watch([100, 10, 12, 11, 13, 12], [11, 18, 11], 5)
        self.assertAlmostEqual(w["mean"], 11.6)
        self.assertAlmostEqual(w["upper"], 11.6 + 4.5 / 1.128)
        self.assertAlmostEqual(w["lower"], 11.6 - 4.5 / 1.128)
        self.assertTrue(w["stable"])
        self.assertEqual(w["months"], 2)          # 18 > 15.59, the second month after

    def test_a_step_after_the_change_shows_at_month_seven(self):
        # A step to 12.5 (above the mean 11.6, below 2/3 of the way to the limit, 14.26).
        w = spc.baseline_then_watch([10, 12, 11, 13, 12], [12.5] * 10, 5)
        self.assertEqual(w["months"], 7)

    def test_points_before_the_change_do_not_count(self):
        # Five of the seven points above the mean lie before the change: no shift after it.
        w = spc.baseline_then_watch([9, 11, 12, 12, 12, 12, 12], [12, 12, 11], 7)
        mean = sum([9, 11, 12, 12, 12, 12, 12]) / 7
        self.assertAlmostEqual(w["mean"], mean)
        self.assertIsNone(w["months"])

    def test_a_moving_baseline_is_not_stable(self):
        # A falling backlog: seven falls in a row among the limit points is a trend.
        w = spc.baseline_then_watch([120, 110, 100, 90, 80, 70, 60, 55], [50] * 8, 8)
        self.assertFalse(w["stable"])
        # Falling on after the change, it signals with no intervention (a false alarm).
        self.assertIsNotNone(w["months"])


if __name__ == "__main__":
    unittest.main()
