#!/usr/bin/python3
"""Print a results file's per-metric means over replications as tab-separated rows.

One row per dataset: scenario/kind/metric, its shape without the replication axis, then every
mean (time x group values, row-major) with 12 significant digits. Datasets are found in any
group called series/ or reps/ below a scenario, so the layout of models inside a scenario does
not change the keys.
"""
import sys

import h5py
import numpy as np


def rows(path):
    out = []
    with h5py.File(path, "r") as f:
        for scen_name, scen in f["scenarios"].items():
            def visit(name, obj):
                parts = name.split("/")
                if not isinstance(obj, h5py.Dataset) or len(parts) < 2:
                    return
                if obj.attrs.get("CLASS") in (b"DIMENSION_SCALE", "DIMENSION_SCALE"):
                    return  # a group's copy of time, replication or a dimension's labels
                kind = parts[-2]
                if kind not in ("series", "reps"):
                    return
                data = np.asarray(obj[...], dtype=float)
                mean = np.nanmean(data, axis=0) if data.shape[0] else data
                shape = "x".join(str(n) for n in mean.shape) or "1"
                vals = " ".join("%.12g" % v for v in np.ravel(mean))
                out.append("%s/%s/%s\t%s\t%s" % (scen_name, kind, parts[-1], shape, vals))
            scen.visititems(visit)
    return sorted(out)


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN slices stay NaN
    for r in rows(sys.argv[1]):
        print(r)
