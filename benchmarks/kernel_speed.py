"""The kernel's own time against an earlier kernel, its outputs compared bit for bit (not a test).

Usage::

    git archive 9ec5a1c | (mkdir -p /tmp/kbase && tar -x -C /tmp/kbase)
    python benchmarks/kernel_speed.py --base /tmp/kbase                 # every shipped scenario
    python benchmarks/kernel_speed.py --base /tmp/kbase --repeat 40 scenarios/plan-2030.yaml
    python benchmarks/kernel_speed.py --count scenarios/plan-2030.yaml  # how often each stage runs

``--base TREE`` loads ``TREE/energysim/kernel/dispatch.py`` as a separate module beside the
current one and runs both compiled kernels on the *same* packed inputs (the current ``pack``), so
that the comparison isolates the hour loop. For every scenario it checks that every output of
the two kernels agrees (largest absolute difference, MW or MWh; ``identical`` when bit for bit),
then alternates calls of the two kernels one by one (outputs reused, zeroed before each call
when that kernel needs it, as ``run_kernel`` did; compile and pack excluded), so that load from
other processes falls on both alike, and prints the median wall time and thread CPU time of each
and their ratios (the CPU time leaves out the time the thread waits for a core on a loaded
machine).

``--count`` runs the current kernel's (and the ``--base`` one's) hour loop as plain Python (the module's source with the
numba decorators removed; slow, a few minutes for a full year) and counts, per stage, how often
a transport step runs and how often it is two-sided (some bus with supply and some with demand
after netting, so the leaves-up and root-down passes run), plus the helper calls that sum the
thermal and storage headroom.

``--where`` times variants of the current kernel (and of the ``--base`` one) with the later
stages of the hour cut out (the blocks under the ``# ---- `` stage comments of
``dispatch_year``), cumulatively, as in the "Where the time goes" table of
``benchmarks/README.md``; calls of the variants alternate (thread CPU time). A cut
stage also changes what the stages before it see in later hours (e.g. no discharge leaves storage
full), so the differences are indicative.

``--json PATH`` writes everything measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import types
from collections import Counter
from pathlib import Path

import numpy as np
from _common import load_module  # benchmarks/_common.py (the script's folder is on sys.path)

from energysim.bench.runner import machine
from energysim.kernel import allocate_result, work_array
from energysim.kernel import dispatch as current
from energysim.run import packed

REPO = Path(__file__).resolve().parents[1]


def _needs_zeroed_outputs(module: types.ModuleType) -> bool:
    """Whether the kernel in ``module`` expects zeroed outputs (kernels before ``h17-kernel``)."""
    return "Outputs must\n    be zero on entry" in (module.dispatch_year.__doc__ or "")


def _runner(module: types.ModuleType, inputs, dirty: bool = False):  # noqa: ANN001, ANN202
    """A no-argument callable running ``module.dispatch_year`` on ``inputs`` as ``run_kernel``
    does with reused outputs (zeroing them first if that kernel needs it); and its outputs.

    ``dirty``: fill the outputs with NaN once before the first run (to check that a kernel that
    needs no zeroing writes every element)."""
    out = allocate_result(inputs)
    work = np.zeros((module.N_WORK, work_array(inputs).shape[1]))
    arrays = out.arrays()
    args = (*inputs.arrays(), *arrays, work)
    zero = _needs_zeroed_outputs(module)
    if dirty and not zero:
        for a in arrays:
            a.fill(np.nan)

    def run() -> None:
        if zero:
            for a in arrays:
                a.fill(0.0)
        module.dispatch_year(*args)

    return run, out


def compare(base: types.ModuleType, inputs) -> dict[str, float | bool]:  # noqa: ANN001
    """Run both kernels once on ``inputs``; the largest absolute difference of each output."""
    run_b, out_b = _runner(base, inputs)
    run_n, out_n = _runner(current, inputs, dirty=True)
    run_b()
    run_n()
    diffs: dict[str, float | bool] = {}
    identical = True
    for name, a in vars(out_b).items():
        b = getattr(out_n, name)
        diffs[name] = float(np.max(np.abs(a - b))) if a.size else 0.0  # NaN if left unwritten
        identical &= bool(np.array_equal(a, b))
    diffs["identical"] = identical
    return diffs


def time_both(base: types.ModuleType, inputs, repeat: int) -> dict[str, float]:  # noqa: ANN001
    """Alternate calls of the two compiled kernels; medians in ms."""
    run_b, _ = _runner(base, inputs)
    run_n, _ = _runner(current, inputs)
    run_b()
    run_n()
    wall: dict[str, list[float]] = {"base": [], "new": []}
    cpu: dict[str, list[float]] = {"base": [], "new": []}
    for _ in range(repeat):
        for name, run in (("base", run_b), ("new", run_n)):
            c0 = time.thread_time()
            t0 = time.perf_counter()
            run()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.thread_time() - c0)
    base_ms = statistics.median(wall["base"]) * 1e3
    new_ms = statistics.median(wall["new"]) * 1e3
    base_cpu = statistics.median(cpu["base"]) * 1e3
    new_cpu = statistics.median(cpu["new"]) * 1e3
    return {
        "base_ms": base_ms,
        "new_ms": new_ms,
        "base_min_ms": min(wall["base"]) * 1e3,
        "new_min_ms": min(wall["new"]) * 1e3,
        "ratio": new_ms / base_ms,
        "base_cpu_ms": base_cpu,
        "new_cpu_ms": new_cpu,
        "cpu_ratio": new_cpu / base_cpu,
    }


def _plain_python_kernel(path: Path | None = None) -> types.ModuleType:
    """A dispatch module (default the current one) as plain Python (numba decorators removed)."""
    source = (path or REPO / "energysim/kernel/dispatch.py").read_text()
    source = source.replace(
        "from energysim.kernel._jit import jit, jit_inline",
        "jit = jit_inline = lambda f: f",
    )
    module = types.ModuleType("_dispatch_py")
    module.__file__ = "<dispatch as plain python>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


def count_stages(inputs, path: Path | None = None) -> dict[str, dict[str, int]]:  # noqa: ANN001
    """How often each stage's transport runs (and is two-sided) over the year, and helper calls.

    A stage is named by the nearest stage comment (``# ---- 1. base match``, ``# 2b. storage
    charging``, ...) above the line of ``dispatch_year`` that led to the call.
    """
    module = _plain_python_kernel(path)
    lines = (path or REPO / "energysim/kernel/dispatch.py").read_text().splitlines()
    label_at: dict[int, str] = {}
    label = "set-up"
    for i, line in enumerate(lines, start=1):
        text = line.strip()
        if text.startswith("# ----") and text.strip("- #"):
            label = text.strip("- #")
        elif len(text) > 4 and text.startswith("# ") and text[2].isdigit() and text[3].isalpha():
            label = text[2:].split(",")[0].split(":")[0].split(";")[0]
        label_at[i] = label
    calls: Counter[str] = Counter()
    two_sided: Counter[str] = Counter()
    moved_nothing: Counter[str] = Counter()
    real_transport = module.transport

    def stage() -> str:
        frame = sys._getframe(2)  # noqa: SLF001
        while frame is not None and frame.f_code.co_name != "dispatch_year":
            frame = frame.f_back
        return label_at.get(frame.f_lineno, "?") if frame is not None else "?"

    def transport(w, tree, nb, s_row, d_row) -> None:  # noqa: ANN001
        name = stage()
        calls[name] += 1
        x = w[s_row, :nb] - w[d_row, :nb]
        if (x > module.EPS).any() and (x < -module.EPS).any():
            two_sided[name] += 1
            real_transport(w, tree, nb, s_row, d_row)
            if np.allclose(w[module.NET, :nb], x, rtol=0.0, atol=1e-9):
                moved_nothing[name] += 1
            return
        real_transport(w, tree, nb, s_row, d_row)

    helpers: Counter[str] = Counter()
    for helper in ("_thermal_headroom", "_storage_headroom"):
        real = getattr(module, helper)

        def counted(*args, _real=real, _name=helper):  # noqa: ANN002, ANN202
            helpers[f"{_name} ({stage()})"] += 1
            return _real(*args)

        setattr(module, helper, counted)
    module.transport = transport
    out = allocate_result(inputs)
    module.dispatch_year(*inputs.arrays(), *out.arrays(), work_array(inputs))
    return {
        "transport_calls": dict(calls),
        "two_sided_steps": dict(two_sided),
        "two_sided_moving_nothing": dict(moved_nothing),
        "helper_calls": dict(helpers),
    }


STAGES = ("1.", "2.", "3.", "4.", "5.", "bookkeeping")
"""Stage comments of ``dispatch_year`` (``# ---- <stage>``) that ``--where`` cuts."""
WHERE = {
    "hour set-up only": STAGES,
    "+ bookkeeping (state of charge, line flows)": STAGES[:5],
    "+ 1. base match": STAGES[1:5],
    "+ 2. surplus": STAGES[2:5],
    "+ 3. deficit": STAGES[3:5],
    "+ 4. pre-charge": STAGES[4:5],
    "the whole kernel (+ 5. reserve held)": (),
}


def variant_source(cut: tuple[str, ...], path: Path | None = None) -> str:
    """The kernel's source (``path``; default the current one) with the stage blocks named in
    ``cut`` removed."""
    lines = (path or REPO / "energysim/kernel/dispatch.py").read_text().splitlines()
    keep = []
    skipping = None  # indentation of the block being cut
    for line in lines:
        text = line.strip()
        indent = len(line) - len(line.lstrip())
        if skipping is not None:
            if text.startswith("# ----") and indent == skipping:
                skipping = None
            elif text and indent < skipping:
                skipping = None
            else:
                continue
        if text.startswith("# ---- ") and any(text[7:].startswith(s) for s in cut):
            skipping = indent
            keep.append(line)
            keep.append(" " * indent + "pass")
            continue
        keep.append(line)
    return "\n".join(keep) + "\n"


def where_the_time_goes(
    inputs,  # noqa: ANN001
    repeat: int,
    tmp: Path,
    sources: dict[str, Path | None],
) -> dict[str, dict[str, float]]:
    """Median thread CPU ms of each cumulative variant of each kernel in ``sources`` (name:
    path of its ``dispatch.py``, None for the current one), all calls alternating."""
    runners = {}
    for tag, source in sources.items():
        for i, (name, cut) in enumerate(WHERE.items()):
            module = f"_kernel_variant_{tag}_{i}"
            path = tmp / f"{module}.py"
            path.write_text(variant_source(cut, source))
            runners[tag, name] = _runner(load_module(module, path), inputs)[0]
            runners[tag, name]()
    times: dict[tuple[str, str], list[float]] = {key: [] for key in runners}
    for _ in range(repeat):
        for key, run in runners.items():
            c0 = time.thread_time()
            run()
            times[key].append(time.thread_time() - c0)
    result: dict[str, dict[str, float]] = {tag: {} for tag in sources}
    for (tag, name), v in times.items():
        result[tag][name] = statistics.median(v) * 1e3
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="scenario files (default: all shipped)")
    parser.add_argument("--base", type=Path, help="tree holding the kernel to compare with")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--count", action="store_true", help="count stage runs (slow)")
    parser.add_argument("--hours", type=int, default=8760, help="hours for --count")
    parser.add_argument("--where", action="store_true", help="time cumulative stage variants")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    files = args.scenarios or sorted(str(p) for p in (REPO / "scenarios").glob("*.yaml"))
    base = (
        load_module("_base_dispatch", args.base / "energysim/kernel/dispatch.py")
        if args.base
        else None
    )
    report: dict = {"machine": machine(), "base": str(args.base), "scenarios": {}}
    all_equal = True
    for file in files:
        _, inputs, index = packed(file)
        entry: dict = {}
        name = Path(file).stem
        if base is not None:
            diffs = compare(base, inputs)
            worst = float(np.max([v for k, v in diffs.items() if k != "identical"]))
            all_equal &= bool(worst <= 1e-9)  # False for NaN
            entry["diff"] = diffs
            entry.update(time_both(base, inputs, args.repeat))
            same = "bit-identical" if diffs["identical"] else f"max |diff| {worst:.3g}"
            print(
                f"{name:30s} wall: base {entry['base_ms']:6.2f} new {entry['new_ms']:6.2f} ms "
                f"= {entry['ratio']:.3f}; thread CPU: base {entry['base_cpu_ms']:6.2f} "
                f"new {entry['new_cpu_ms']:6.2f} ms = {entry['cpu_ratio']:.3f}  ({same})"
            )
        if args.count:
            from energysim.kernel.pack import head  # noqa: PLC0415

            sub = head(inputs, index, min(args.hours, inputs.shape["T"]))[0]
            kernels: dict[str, Path | None] = {"new": None}
            if args.base:
                kernels = {"base": args.base / "energysim/kernel/dispatch.py", "new": None}
            entry["count"] = {tag: count_stages(sub, path) for tag, path in kernels.items()}
            for tag, counted in entry["count"].items():
                print(
                    f"{name} ({tag} kernel): per stage, transport calls / two-sided steps / of "
                    f"which moving nothing between buses (first {args.hours} h)"
                )
                for stage, n in counted["transport_calls"].items():
                    two = counted["two_sided_steps"].get(stage, 0)
                    idle = counted["two_sided_moving_nothing"].get(stage, 0)
                    print(f"  {stage[:45]:45s} {n:7d} {two:7d} {idle:7d}")
                total = sum(counted["transport_calls"].values())
                two = sum(counted["two_sided_steps"].values())
                print(f"  {'all':45s} {total:7d} {two:7d}")
                for helper, n in counted["helper_calls"].items():
                    print(f"  {helper[:60]:60s} {n:7d}")
        if args.where:
            sources: dict[str, Path | None] = {"new": None}
            if args.base:
                sources = {"base": args.base / "energysim/kernel/dispatch.py", "new": None}
            with tempfile.TemporaryDirectory() as tmp:
                entry["where"] = where_the_time_goes(inputs, args.repeat, Path(tmp), sources)
            print(
                f"{name}: where the time goes (median thread CPU ms of {args.repeat}, "
                "calls alternating)"
            )
            print(f"  {'':45s} " + " ".join(f"{tag:>8s}" for tag in sources))
            for variant in WHERE:
                cells = " ".join(f"{entry['where'][tag][variant]:8.2f}" for tag in sources)
                print(f"  {variant:45s} {cells}")
        report["scenarios"][name] = entry
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    if base is not None and not all_equal:
        print("OUTPUTS DIFFER from the base kernel by more than 1e-9")
        sys.exit(1)


if __name__ == "__main__":
    main()
