"""What one ``writ`` command costs before it does anything: wall time and peak memory.

    python bench/cli_startup.py [--runs 5]

Runs each command ``--runs`` times as a child process on a fresh SQLite store and prints the
median wall time and the largest peak resident memory of each, beside the same figures for a
bare ``python -c pass`` measured in the same run (the interpreter's own start-up). Commands:
``writ --help``; ``writ sources list`` and ``writ review list`` (light commands: they read the
store and print a table); ``writ audit verify``. Ends with::

    cli_help_s=<s> cli_help_mb=<MB> cli_light_s=<s> cli_light_mb=<MB> help_vs_python=<ratio>

where "light" is ``writ review list`` on the empty store.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

WRIT = [sys.executable, "-m", "writ.cli"]


def measure(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall seconds and largest peak RSS (MB) of ``runs`` runs of ``command``."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            problem = child.stderr.read().decode() if child.stderr else ""
            raise SystemExit(f"{' '.join(command)} failed: {problem}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "WRIT_HOME": home}
        env.pop("WRIT_DATABASE_URL", None)
        subprocess.run([*WRIT, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        rows = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("writ --help", [*WRIT, "--help"]),
            ("writ sources list", [*WRIT, "sources", "list"]),
            ("writ review list", [*WRIT, "review", "list"]),
            ("writ audit verify", [*WRIT, "audit", "verify"]),
        ]
        results = {name: measure(command, env, args.runs) for name, command in rows}
    python_s, _ = results["python -c pass"]
    print(f"{'command':<22}{'median s':>10}{'peak MB':>10}{'× python':>10}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<22}{seconds:>10.2f}{peak:>10.0f}{seconds / python_s:>10.1f}")
    help_s, help_mb = results["writ --help"]
    light_s, light_mb = results["writ review list"]
    print(
        f"cli_help_s={help_s:.2f} cli_help_mb={help_mb:.0f} cli_light_s={light_s:.2f} "
        f"cli_light_mb={light_mb:.0f} help_vs_python={help_s / python_s:.1f}"
    )


if __name__ == "__main__":
    main()
