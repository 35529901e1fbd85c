"""`capsim report --model SCENARIO`: a model report in the STRESS-DES style.

STRESS-DES (Monks et al. 2019, "Strengthening the reporting of empirical simulation studies",
J. Simulation 13(1)) lists what a paper must say for a discrete-event study to be reproduced:
objectives, logic, data, experimentation, implementation and code access. This module fills
those sections from the scenario as run (after extends) and the metrics its models declare,
read from a results file with no replications written by cmd_report.c.
"""
import hashlib
import os
import re

import yaml

import report as rp
import report_data as rd

ASSUMPTION = re.compile(r"\bassum(ption|ed|e)\b", re.IGNORECASE)
SOURCE_WORDS = re.compile(r"\b(source|seed \d+|DOMAIN\.md|statistics|returns|report|et al)\b",
                          re.IGNORECASE)


def flatten(node, prefix=""):
    """(key path, value) of every scalar of a YAML document, lists of scalars kept whole."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list) and node and all(not isinstance(x, (dict, list)) for x in node):
        yield prefix, ", ".join(str(x) for x in node)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, "" if node is None else str(node)


def comment_blocks(text):
    """Each comment with the lines that continue it: a run of full-line comments is one
    block; an end-of-line comment is a block of its own, prefixed by the key it follows."""
    blocks, run = [], []
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith("#"):
            run.append(stripped.lstrip("#").strip())
            continue
        if run:
            blocks.append(" ".join(run))
            run = []
        m = re.match(r"\s*-?\s*([A-Za-z_][\w-]*):.*?\s#\s*(.*)", line)
        if m:
            blocks.append(f"{m.group(1)}: {m.group(2).strip()}")
    return [b for b in blocks if b]


def chain(path):
    """The scenario file and the files it extends, as (path, text)."""
    out, seen = [], set()
    while path and path not in seen and os.path.isfile(path):
        seen.add(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        out.append((path, text))
        m = re.search(r"^extends:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(#.*)?$", text, re.MULTILINE)
        path = os.path.join(os.path.dirname(path), m.group(1).strip()) if m else None
    return out


def comments(files, pattern):
    out = []
    for _, text in files:
        out += [b for b in comment_blocks(text) if pattern.search(b) and b not in out]
    return out


def write(args, res):
    sc = res.scenarios[0]
    with open(args.scenario_path, "rb") as f:
        file_text = f.read()
    doc = yaml.safe_load(sc.yaml) or {}
    files = chain(args.scenario_path)
    params = [[k, v] for k, v in flatten(doc)
              if not k.startswith(("name", "label", "description", "assumptions"))]
    metrics = sorted(sc.metrics.values(), key=lambda m: (m.model, m.kind, m.name))
    trusts = [t.get("name", "") for t in (doc.get("system", {}) or {}).get("trusts", [])]
    sites = [f"{s.get('code', '')} ({s.get('name', '')})"
             for t in (doc.get("system", {}) or {}).get("trusts", []) for s in t.get("sites", [])]
    warm = float(sc.attrs.get("warmup_days", 0))
    secs = []
    secs.append(("1. Objectives", [
        ("p", f"**{sc.label}** (`{sc.name}`): {sc.description or 'no description given'}"),
        ("p", "Model outputs (what each replication records; series are month-end snapshots, "
              "the others are totals or averages over the run after the warm-up):"),
        ("table", ["Model", "Output", "Kind", "Units", "By", "Meaning"],
         [[m.model, m.name, "month-end series" if m.kind == "series" else "whole run",
           m.units, ", ".join(m.dims) or "-", m.description] for m in metrics]),
        ("p", "Experimentation aims: compare scenarios against a baseline with paired "
              "differences (common random numbers); see `capsim run` on a batch file."),
    ]))
    logic = [("p", f"Models in this scenario: {', '.join(sc.models)}. Each is a discrete-event "
                   "model on one shared event calendar; patients are the entities."),
             ("p", f"Organisations: {', '.join(trusts) or 'none named'}; sites: "
                   f"{', '.join(sites) or 'none named'}.")]
    if doc.get("flows"):
        logic.append(("list", [f"{f.get('from')} to {f.get('to')}" for f in doc["flows"]]))
    top = [k for k in doc if k not in ("name", "label", "description", "assumptions", "seed",
                                       "start_date", "horizon_days", "warmup_days",
                                       "replications", "system", "flows", "extends")]
    logic.append(("p", "Model sections (activities, resources and queues): "
                       + ", ".join(f"`{k}`" for k in top) + ". Their parameters are listed "
                       "under Data."))
    secs.append(("2. Logic", logic))
    data = [("p", "Data sources named in the scenario's comments:"),
            ("list", comments(files, SOURCE_WORDS) or ["none named"]),
            ("p", "Assumptions the scenario states (its `assumptions:` list, then its "
                  "comments that say \"assumption\", in the file and the files it extends):"),
            ("list", sc.assumptions + comments(files, ASSUMPTION) or ["none stated"]),
            ("p", "Input parameters (the scenario as run, after `extends` and overrides):"),
            ("table", ["Parameter", "Value"], params)]
    secs.append(("3. Data", data))
    secs.append(("4. Experimentation", [
        ("table", ["", ""], [
            ["Initialisation", "the starting position the scenario gives (e.g. a backlog at "
                               "start_date); empty otherwise"],
            ["Start date", str(sc.attrs.get("start_date", ""))],
            ["Run length", f"{float(sc.attrs.get('horizon_days', 0)):g} days"],
            ["Warm-up", f"{warm:g} days (statistics before it are discarded)"
                        + ("; capsim run suggests one by MSER-5 for models that start empty"
                           if warm == 0 else "")],
            ["Replications", f"{int(res.attrs.get('replications', 0)):,} (`-r` overrides; "
                             "`--precision` runs until a half-width target is met)"],
            ["Base seed", str(res.attrs.get("base_seed", ""))],
            ["Estimation", "mean across replications with a 95% Student t confidence "
                           "interval; 2.5th-97.5th percentiles as the prediction interval; "
                           "paired differences against the baseline"],
        ])]))
    secs.append(("5. Implementation", [("table", ["", ""], [
        ["Software", f"capsim {res.attrs.get('capsim_version', '')} (C11; GSL, HDF5, libyaml, "
                     "Random123)"],
        ["Random numbers", "Philox4x64-10 counter-based streams (Random123), one per model "
                           "and purpose and, where a patient's draws must not depend on "
                           "others, per patient; stream keys are the base seed and the "
                           "replication number, so replication r of every scenario uses "
                           "the same numbers (common random numbers)"],
        ["Model execution", "event scheduling on a binary-heap calendar; events at the same "
                            "time run in a documented order of classes, then sequence"],
        ["System", "any Linux machine; results do not depend on threads, MPI ranks or "
                   "shards"]])]))
    secs.append(("6. Code access", [("table", ["", ""], [
        ["capsim commit", str(res.attrs.get("git_commit", ""))],
        ["Scenario file", os.path.basename(args.scenario_path)],
        ["Scenario file SHA-256", hashlib.sha256(file_text).hexdigest()],
        ["Scenario as run SHA-256", str(sc.attrs.get("scenario_sha256", ""))],
        ["Reproduce", f"capsim run {args.scenario_path}"]])]))
    title = f"Model report (STRESS-DES): {sc.label}"
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "model_report.md"), "w") as f:
        f.write(rp.render_md(title, secs, args.output))
    with open(os.path.join(args.output, "model_report.html"), "w") as f:
        f.write(rp.render_html(title, secs))
    print(f"model report: {os.path.join(args.output, 'model_report.md')} (and .html)")
