#!/usr/bin/env bash
# `tm migrate` benchmark (release builds): a generated single-user folder (5 fiscal
# years, ~2 000 entries each, 12 project files) moved into a fresh account on tm-local's
# embedded store, then migrated again (nothing to change), then `tm sync` with nothing
# to do. Prints wall time and tm's peak memory; the numbers are recorded in
# docs/benchmarks.md. tm-local runs on a free loopback port and is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p tm -p tm-local
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/tm-local --port "$port" --data-dir "$work/data" --report-interval-minutes 0 > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.1; done
python3 - "$work/vault" <<'PY'
import datetime, os, sys
root = sys.argv[1]
os.makedirs(f"{root}/projects"); os.makedirs(f"{root}/time-logs")
projects = [f"Project {i:02}" for i in range(12)]
for i, name in enumerate(projects):
    with open(f"{root}/projects/project-{i:02}.md", "w") as f:
        f.write(f"---\nproject: {name}\ndepartmentalGoal: [Goal {i % 4}]\nstrategicDirection: [Growth]\n"
                f"tags: [t{i}]\nstatus: Active\nstartDate: 2020-07-01\n---\n\n## Summary\n\n{name}.\n")
for year in range(2020, 2025):
    label = f"{year}-{year + 1}"
    day, end = datetime.date(year, 7, 1), datetime.date(year + 1, 6, 30)
    lines, month, n = [f"# Time Log {label}\n"], None, 0
    while day <= end:
        if day.weekday() < 5:
            if day.month != month:
                month = day.month
                lines.append(f"\n## {day:%B %Y}\n")
            lines.append(f"\n### {day}\n\n")
            for slot in range(8):
                p = projects[(day.toordinal() + slot) % 12]
                start = 8 * 60 + slot * 60
                lines.append(f"- **{start // 60:02}:{start % 60:02}-{(start + 55) // 60:02}:{(start + 55) % 60:02}**: "
                             f"Work item {n % 97} on {p} [[{p}]] [t{slot}, focus]\n")
                if slot % 3 == 0:
                    lines.append(f"  - Notes: note {n}\n")
                n += 1
        day += datetime.timedelta(days=1)
    with open(f"{root}/time-logs/time-log-{label}.md", "w") as f:
        f.write("".join(lines))
PY
export TM_CONFIG_DIR="$work/config"
curl -sf -X POST "http://127.0.0.1:$port/local/signup" -d '{"username": "bench", "password": "change-me-please"}' > /dev/null
echo change-me-please | target/release/tm login --url "http://127.0.0.1:$port" --username bench > /dev/null
du -sh "$work/vault/time-logs"
for run in "migrate (first)" "migrate (again)" "sync (nothing to do)"; do
  case "$run" in migrate*) args=(migrate "$work/vault") ;; *) args=(sync "$work/vault") ;; esac
  echo "== tm ${args[0]}: $run"
  /usr/bin/time -f "wall %e s, tm peak RSS %M KiB" target/release/tm "${args[@]}" 2>&1 | tail -8
done
