#!/usr/bin/python3
"""Remake the README's figure and report snippet from the demo batch (not by hand).

    scripts/report_docs.py [BUILD_DIR]

Runs scenarios/demo-snee-orthopaedics.yaml (30 replications) into results/, writes its report,
and copies the 52-week waiters fan chart to docs/report-52-week-waiters.png and the report's
summary section to docs/report-snippet.md.
"""
import os
import shutil
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
capsim = os.path.join(root, sys.argv[1] if len(sys.argv) > 1 else "build", "capsim")
results = os.path.join(root, "results", "demo-snee-orthopaedics.h5")
subprocess.run([capsim, "run", "scenarios/demo-snee-orthopaedics.yaml", "-o", results,
                "--force"], cwd=root, check=True)
subprocess.run([capsim, "report", results], cwd=root, check=True, stdout=subprocess.DEVNULL)
report = os.path.join(root, "results", "demo-snee-orthopaedics_report")
shutil.copy(os.path.join(report, "figures", "elective_over_52_weeks.png"),
            os.path.join(root, "docs", "report-52-week-waiters.png"))
with open(os.path.join(report, "report.md")) as f:
    md = f.read()
summary = md.split("## Summary", 1)[1].split("\n## ", 1)[0].strip()
with open(os.path.join(root, "docs", "report-snippet.md"), "w") as f:
    f.write("<!-- made by scripts/report_docs.py from the demo batch -->\n" + summary + "\n")
print("docs/report-52-week-waiters.png, docs/report-snippet.md")
