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


if __name__ == "__main__":
    unittest.main()
