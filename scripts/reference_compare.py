#!/usr/bin/python3
"""Compare reference tables (scripts/reference_dump.py output) value by value.

Usage: reference_compare.py REFDIR NEWDIR. Values agree when equal to 1e-9 relative (or both
NaN); every difference is listed (key, index, stored, now). Exit 1 on any difference, a
missing or extra file, or a missing or extra metric.
"""
import math
import os
import sys


def load(path):
    table = {}
    with open(path) as f:
        for line in f:
            key, shape, vals = line.rstrip("\n").split("\t")
            table[key] = (shape, [float(v) for v in vals.split()])
    return table


def same(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main(refdir, newdir):
    problems = []
    ref_files = sorted(f for f in os.listdir(refdir) if f.endswith(".tsv"))
    new_files = sorted(f for f in os.listdir(newdir) if f.endswith(".tsv"))
    for f in sorted(set(ref_files) ^ set(new_files)):
        problems.append("%s: only in %s" % (f, "the reference" if f in ref_files else "this run"))
    checked = 0
    for f in sorted(set(ref_files) & set(new_files)):
        ref, new = load(os.path.join(refdir, f)), load(os.path.join(newdir, f))
        for key in sorted(set(ref) ^ set(new)):
            problems.append("%s: %s only in %s" % (f, key, "the reference" if key in ref else "this run"))
        for key in sorted(set(ref) & set(new)):
            (rs, rv), (ns, nv) = ref[key], new[key]
            if rs != ns:
                problems.append("%s: %s shape %s, was %s" % (f, key, ns, rs))
                continue
            for i, (a, b) in enumerate(zip(rv, nv)):
                checked += 1
                if not same(a, b):
                    problems.append("%s: %s[%d] = %.12g, reference %.12g" % (f, key, i, b, a))
    for p in problems[:int(os.environ.get("REFERENCE_SHOW", "60"))]:
        print(p)
    if len(problems) > int(os.environ.get("REFERENCE_SHOW", "60")):
        print("... and %d more differences" % (len(problems) - int(os.environ.get("REFERENCE_SHOW", "60"))))
    print("reference: %d files, %d values compared, %d differences"
          % (len(ref_files), checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
