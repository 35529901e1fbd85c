"""Reading a capsim results file for reports and exports (used by scripts/report.py).

A results file (docs/results.md) is read into plain Python objects: provenance, scenarios
with their labels and assumptions, and for each model its metrics with units, descriptions,
dimensions and values. Numbers are formatted here the way a person reads them.
"""
import datetime
import itertools
import math
import re

import h5py
import numpy as np

STATS = ["mean", "sd", "ci_low", "ci_high", "half_width", "q025", "median", "q975", "min",
         "max", "n"]

# Short names for metrics that reports quote in sentences; others use their description.
SHORT = {
    "waiting_list_size": "waiting list",
    "over_52_weeks": "52-week waiters",
    "over_65_weeks": "65-week waiters",
    "over_78_weeks": "78-week waiters",
    "over_104_weeks": "104-week waiters",
    "median_wait_weeks": "median wait",
    "p92_wait_weeks": "92nd centile wait",
    "within_18_weeks_share": "share within 18 weeks",
    "capped_utilisation": "theatre utilisation",
    "treatments": "treatments",
    "queue_length": "queue length",
    "mean_wait_days": "mean wait",
    "mean_wait_treated_weeks": "mean wait of those treated",
    "patients_moved": "patients moved",
    "utilisation": "utilisation",
    "waited_share": "share who waited",
    "served": "services started",
    "arrivals": "arrivals",
    "occupied": "places in use",
}
# The metrics a report leads with, where a model has them (else all its series metrics).
HEADLINE = ["waiting_list_size", "over_52_weeks", "over_78_weeks", "median_wait_weeks",
            "within_18_weeks_share", "capped_utilisation", "queue_length", "served",
            "occupancy", "occupied", "on_stack", "discussed", "transferred",
            "dispatches_avoided", "mean_wait_treated_weeks", "patients_moved",
            "mean_wait_days"]
BOOTSTRAP_RESAMPLES = 10000


class Metric:
    """One metric of one model of one scenario (or comparison)."""

    def __init__(self, model, name, kind, units, description, dims, labels):
        self.model, self.name, self.kind = model, name, kind
        self.units, self.description = units, description
        self.dims = dims          # names of the dimensions beyond time
        self.labels = labels      # {dim: [labels]}
        self.values = None        # [replication, (time,) cells...] for scenarios
        self.summary = None       # [(time,) cells..., stat]

    @property
    def short(self):
        return SHORT.get(self.name, self.description.rstrip(".") if self.description else
                         self.name.replace("_", " "))

    def cells(self):
        """Cell labels (row-major), as tuples of each dimension's label."""
        return list(itertools.product(*[self.labels[d] for d in self.dims])) or [()]

    def flat_summary(self):
        """Summary as [time or 1, cell, stat]."""
        s = self.summary
        if self.kind != "series":
            s = s[np.newaxis, ...]
        return s.reshape(s.shape[0], -1, s.shape[-1])

    def flat_values(self):
        """Values as [replication, time or 1, cell]."""
        v = self.values
        if self.kind != "series":
            v = v[:, np.newaxis, ...]
        return v.reshape(v.shape[0], v.shape[1], -1)


class Scenario:
    def __init__(self, name):
        self.name = name
        self.label = name
        self.description = ""
        self.assumptions = []
        self.models = []
        self.metrics = {}        # (model, name) -> Metric
        self.dates = []
        self.days = []
        self.attrs = {}
        self.yaml = ""


class Results:
    def __init__(self):
        self.attrs = {}
        self.scenarios = []
        self.baseline = ""
        self.comparisons = {}    # scenario name -> {(model, name): Metric}
        self.path = ""


def _s(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def _strs(x):
    return [_s(v) for v in np.atleast_1d(x)]


def comment_assumptions(yaml_text):
    """Lines of the scenario's comments that state an assumption ("Assumption: ...")."""
    out = []
    for line in yaml_text.splitlines():
        m = re.search(r"#\s*(assumption\b.*)", line, re.IGNORECASE)
        if m:
            out.append(m.group(1).strip())
    return out


def policy_dates(yaml_text):
    """Dates from which something in the scenario changes (`from: YYYY-MM-DD`), with context."""
    found = {}
    for line in yaml_text.splitlines():
        for m in re.finditer(r"\bfrom:\s*'?\"?(\d{4}-\d{2}-\d{2})", line):
            found.setdefault(m.group(1), line.strip())
    return sorted(found)


def _metric(model_group, name, ds, kind):
    dims = [d for d in _strs(ds.attrs.get("dimensions", []))] if "dimensions" in ds.attrs else []
    if not dims:
        dims = [d.label for d in ds.dims if d.label not in ("replication", "time", "stat")]
    labels = {d: _strs(model_group[d][()]) for d in dims}
    return Metric(model_group.name.rsplit("/", 1)[-1], name, kind, _s(ds.attrs.get("units", "")),
                  _s(ds.attrs.get("description", "")), dims, labels)


def load(path):
    """Everything a report needs from a results file."""
    r = Results()
    r.path = path
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise SystemExit(f"capsim: {path}: cannot read it as an HDF5 file ({e})")
    with f:
        if _s(f.attrs.get("format", "")) != "capsim-results":
            raise SystemExit(f"capsim: {path}: not a capsim results file")
        r.attrs = {k: (v if not isinstance(v, bytes) else v.decode()) for k, v in f.attrs.items()}
        r.baseline = _s(f.attrs.get("baseline", ""))
        for name in _strs(f.attrs["scenarios"]):
            g = f["scenarios"][name]
            sc = Scenario(name)
            sc.attrs = dict(g.attrs)
            sc.label = _s(g.attrs.get("label", "")) or name
            sc.description = " ".join(_s(g.attrs.get("description", "")).split())
            sc.yaml = _s(g["scenario_yaml"][()])
            sc.assumptions = _strs(g.attrs["assumptions"]) if "assumptions" in g.attrs else []
            sc.comment_assumptions = comment_assumptions(sc.yaml)
            sc.models = _strs(g.attrs["models"])
            sc.days = list(g["time"][()])
            sc.dates = _strs(g["time_label"][()])
            sc.replication_numbers = list(g["replication"][()])
            for model in sc.models:
                mg = g[model]
                for metric in _strs(mg.attrs["metrics"]):
                    if metric in mg["series"]:
                        ds, kind = mg["series"][metric], "series"
                    else:
                        ds, kind = mg["reps"][metric], "rep"
                    m = _metric(mg, metric, ds, kind)
                    m.values = ds[()]
                    m.summary = mg["summary"][metric][()]
                    sc.metrics[(model, metric)] = m
            r.scenarios.append(sc)
        for key in f.get("comparisons", {}):
            c = f["comparisons"][key]
            a = _s(c.attrs["scenario"])
            out = {}
            for model in c:
                mg = c[model]
                if not isinstance(mg, h5py.Group):
                    continue
                base = next(s for s in r.scenarios if s.name == a)
                for metric in _strs(mg.attrs["metrics"]):
                    if metric not in mg or (model, metric) not in base.metrics:
                        continue
                    src = base.metrics[(model, metric)]
                    m = Metric(model, metric, src.kind, src.units, src.description, src.dims,
                               src.labels)
                    m.summary = mg[metric][()]
                    out[(model, metric)] = m
            r.comparisons[a] = out
            r.pairs = int(c.attrs["pairs"])
    return r


# ---- dates ----

def parse_date(s):
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        return None


def default_dates(labels):
    """The end of each financial year (31 March) among the snapshot labels, and the last."""
    picked = [i for i, s in enumerate(labels) if s.endswith("-03-31")]
    if labels and (len(labels) - 1) not in picked:
        picked.append(len(labels) - 1)
    return picked


def month_words(label):
    """'2025-03-31' -> 'March 2025' (a month-end snapshot); other dates in full."""
    d = parse_date(label)
    if d is None:
        return label
    nxt = d + datetime.timedelta(days=1)
    if nxt.day == 1:
        return d.strftime("%B %Y")
    return d.strftime("%-d %B %Y")


# ---- intervals ----

def mean_interval(values, t_low, t_high, seed=1):
    """
    The 95% interval of the mean: the file's Student t interval, unless it leaves the range
    the metric has in every replication (a count below zero, a share above one); then the
    bootstrap percentile interval of the mean, which stays inside that range. Returns
    (low, high, method) with method "t" or "bootstrap".
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size < 2 or not (math.isfinite(t_low) and math.isfinite(t_high)):
        return t_low, t_high, "t"
    lo_bound = 0.0 if v.min() >= 0 else None
    hi_bound = 1.0 if lo_bound == 0.0 and v.max() <= 1 and t_high > 1 else None
    if (lo_bound is None or t_low >= lo_bound) and (hi_bound is None or t_high <= hi_bound):
        return t_low, t_high, "t"
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, v.size, size=(BOOTSTRAP_RESAMPLES, v.size))
    means = v[idx].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)), "bootstrap"


# ---- numbers as people read them ----

def is_share(metric):
    return metric.units in ("fraction", "share", "1") and metric.name.endswith(
        ("share", "utilisation", "_fraction")) or metric.units == "fraction"


def decimals(x, metric=None):
    """Sensible rounding: whole numbers from 100, one decimal from 10, two below."""
    a = abs(x)
    if metric is not None and metric.units in ("patients", "cases", "sessions", "referrals",
                                               "customers", "people"):
        return 0 if a >= 10 else 1
    return 0 if a >= 100 else 1 if a >= 10 else 2


def num(x, metric=None, dp=None, signed=False):
    """A number with thousands separators and no scientific notation ('-' when not observed)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    share = metric is not None and is_share(metric)
    if x == 0 and not share:
        return "0"
    d = (1 if abs(x) >= 0.01 else 2) if share else decimals(x, metric) if dp is None else dp
    text = f"{x * 100 if share else x:{'+' if signed else ''},.{d}f}"
    if text.lstrip("+-").strip("0.,") == "":
        text = text.lstrip("+-")  # no sign on a zero that rounding made
    return text.replace("-", "\u2212") + ("%" if share else "")


def interval(lo, hi, metric=None, dp=None):
    return f"{num(lo, metric, dp)} to {num(hi, metric, dp)}"


def common_dp(metric, *xs):
    """One rounding for a mean and its interval, chosen by the largest of them."""
    finite = [abs(x) for x in xs if x is not None and math.isfinite(x)]
    return decimals(max(finite) if finite else 0, metric)


def cell_names(metric):
    """Human names of a metric's cells: label parts every cell shares are left out."""
    cells = metric.cells()
    if not cells or cells == [()]:
        return [""]
    parts = [tuple(p for lab in c for p in lab.split("/")) for c in cells]
    width = max(len(p) for p in parts)
    keep = [i for i in range(width)
            if len({p[i] if i < len(p) else "" for p in parts}) > 1 or len(parts) == 1 and i == 0]
    if not keep:
        keep = [0]
    return [", ".join(p[i] for i in keep if i < len(p)) for p in parts]
