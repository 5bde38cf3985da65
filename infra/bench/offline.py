#!/usr/bin/env python3
"""The offline tools side by side with Timewarrior (docs/benchmarks.md, issue 14).

Generates a vault with one fiscal year of ENTRIES entries (and, with --years, more
years of the same size around it), converts the year to Timewarrior's data files
(`timew` reads `data/YYYY-MM.data` lines `inc START - END # tags # "annotation"`, times in UTC:
project and tags as tags, the task as the annotation), and
times, RUNS times each, median:

  tm check --json time-logs/       vs  timew export :all
  tm report fiscal-year 2025-2026  vs  timew summary 2025-07-01 - 2026-07-01

Whole processes, as a person runs them; peak memory from /usr/bin/time when present.
Needs the release `tm` (built here) and Debian's `timewarrior` (`apt-get install
timewarrior`).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def generated(entries, label, seed=7):
    return subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "tm-testkit", "--example", "generated_log", "--", str(entries), label, str(seed)],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout


def timewarrior_db(entries_json, into):
    """Timewarrior's database for the entries of `tm check --json`."""
    os.makedirs(os.path.join(into, "data"))
    open(os.path.join(into, "timewarrior.cfg"), "w").write("verbose = off\nconfirmation = off\n")
    by_month = {}
    for e in entries_json:
        if e["endTime"] is None:
            continue
        day = e["date"].replace("-", "")
        start = f'{day}T{e["startTime"].replace(":", "")}00Z'
        end_day = day
        if e["endTime"] <= e["startTime"]:  # crosses midnight
            import datetime
            end_day = (datetime.date.fromisoformat(e["date"]) + datetime.timedelta(days=1)).isoformat().replace("-", "")
        end = f'{end_day}T{e["endTime"].replace(":", "")}00Z'
        # The project and tags as tags, the task as the annotation.
        quoted = " ".join('"' + t.replace('"', "'") + '"' for t in [e["project"]] + e["tags"])
        task = e["task"].replace('"', "'")
        by_month.setdefault(f'{e["date"][:4]}-{e["date"][5:7]}', []).append(f'inc {start} - {end} # {quoted} # "{task}"\n')
    for month, lines in by_month.items():
        open(os.path.join(into, "data", f"{month}.data"), "w").writelines(sorted(lines))


def timed(command, runs, env=None):
    took = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        took.append(time.perf_counter() - t0)
    peak = None
    if shutil.which("time") or os.path.exists("/usr/bin/time"):
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True, env=env)
        peak = int(out.stderr.strip().splitlines()[-1]) if out.returncode == 0 else None
    return statistics.median(took), peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=1, help="fiscal years in the vault (the report reads one)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tm", default=os.path.join(ROOT, "target/release/tm"))
    args = parser.parse_args()
    if args.tm.endswith("target/release/tm"):
        subprocess.run(["cargo", "build", "-q", "--release", "-p", "tm"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="tm-offline-")
    try:
        logs = os.path.join(work, "vault", "time-logs")
        os.makedirs(logs)
        first = 2025 - args.years // 2
        for year in range(first, first + args.years):
            label = f"{year}-{year + 1}"
            open(os.path.join(logs, f"time-log-{label}.md"), "w").write(generated(args.entries, label, seed=year))
        year_file = os.path.join(logs, "time-log-2025-2026.md")
        checked = subprocess.run([args.tm, "check", "--json", year_file], capture_output=True, text=True)
        entries = json.loads(checked.stdout)["entries"]
        db = os.path.join(work, "timewarrior")
        timewarrior_db(entries, db)
        env = {**os.environ, "TIMEWARRIORDB": db}
        rows = [
            ("tm check --json (the year)", [args.tm, "check", "--json", year_file], None),
            ("timew export :all", ["timew", "export", ":all"], env),
            ("tm report fiscal-year 2025-2026", [args.tm, "report", "--dir", os.path.join(work, "vault"), "fiscal-year", "2025-2026"], None),
            ("timew summary (the fiscal year)", ["timew", "summary", "2025-07-01", "-", "2026-07-01"], env),
        ]
        if args.years > 1:
            rows.insert(1, (f"tm check --json (all {args.years} years)", [args.tm, "check", "--json", logs], None))
        print(f"{len(entries)} entries in the year, {args.years} year(s) in the vault, median of {args.runs} runs")
        print("| command | median | peak memory |")
        print("|---|---:|---:|")
        for name, command, environment in rows:
            median, peak = timed(command, args.runs, environment)
            memory = f"{peak / 1024:.1f} MiB" if peak else "?"
            print(f"| {name} | {median * 1000:.1f} ms | {memory} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
