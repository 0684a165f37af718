"""Kernel time on a scenario before and after a rule change, in one run on one machine.

Usage: ``python benchmarks/rules_cost.py OLD_TREE NEW_TREE scenarios/plan-2030.yaml``, where
OLD_TREE and NEW_TREE are checkouts of the repository (e.g. ``git archive <commit> | tar -x``).
Each tree runs in its own subprocess (its own ``energysim`` on ``PYTHONPATH``) with its own copy
of the scenario file; the two alternate for ``--rounds`` rounds of ``--repeat`` timed calls of
the compiled kernel on packed inputs (outputs reused, compile and pack excluded), so that load
from other processes on the machine falls on both alike. Prints the median of all calls.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, sys, time
from energysim.config import load_scenario
from energysim.kernel import pack, run_kernel
from energysim.run import scenario_profiles
s = load_scenario(sys.argv[1])
inputs, _ = pack(s, scenario_profiles(s))
out = run_kernel(inputs)
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    run_kernel(inputs, out)
    times.append(time.perf_counter() - t0)
print(json.dumps(times))
"""


def _times(tree: str, scenario: str, repeat: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": tree}
    path = os.path.join(tree, scenario)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, path, str(repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=tree,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("scenario")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    old: list[float] = []
    new: list[float] = []
    for _ in range(args.rounds):
        old += _times(args.old, args.scenario, args.repeat)
        new += _times(args.new, args.scenario, args.repeat)
    mo, mn = statistics.median(old) * 1e3, statistics.median(new) * 1e3
    print(f"{args.scenario}: old {mo:.1f} ms, new {mn:.1f} ms (median of {len(old)} each)")
    print(f"new / old: {mn / mo:.2f}x")


if __name__ == "__main__":
    main()
