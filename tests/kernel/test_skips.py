"""The kernel skips transport steps that can move nothing, with the same results (issue 17).

A deficit step whose supply sits only at buses that an earlier step of the hour left with supply
unused ("blocked": the transport is maximal on the forest, and later steps only use up line
capacity and deficit) moves nothing; the same holds for surplus steps whose wants sit only at
buses left wanting. These tests count the transport steps of the plain-Python kernel (the
module's source with the numba decorators removed) and compare the compiled kernel with the
reference, which runs every step.
"""

from __future__ import annotations

import inspect
import types
from collections import Counter

import numpy as np
import pytest

from energysim.guards import check_invariants
from energysim.kernel import allocate_result, pack, run_kernel, work_array
from energysim.kernel import dispatch as compiled
from energysim.kernel.reference import dispatch_reference
from tests.helpers import profiles, scenario

WEST_EAST = {
    "w": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.1},
    "e": {"grid": "mengxi", "x": 111.0, "y": 40.0, "demand_share": 0.9},
}
LINE = {"we": {"bus0": "w", "bus1": "e", "p_nom": 200, "efficiency": 0.9}}


def _counting_kernel() -> tuple[types.ModuleType, Counter]:
    """The dispatch module as plain Python, counting transport steps by calling function."""
    source = inspect.getsource(compiled).replace(
        "from energysim.kernel._jit import jit, jit_inline", "jit = jit_inline = lambda f: f"
    )
    module = types.ModuleType("_dispatch_counting")
    exec(compile(source, "<dispatch as plain python>", "exec"), module.__dict__)  # noqa: S102
    calls: Counter = Counter()
    real = module.transport

    def transport(w, tree, nb, s_row, d_row):  # noqa: ANN001, ANN202
        import sys  # noqa: PLC0415

        calls[sys._getframe(1).f_code.co_name] += 1  # noqa: SLF001
        real(w, tree, nb, s_row, d_row)

    module.transport = transport
    return module, calls


def _run_counted(inputs):  # noqa: ANN001, ANN202
    module, calls = _counting_kernel()
    out = allocate_result(inputs)
    module.dispatch_year(*inputs.arrays(), *out.arrays(), work_array(inputs))
    return out, calls


def _same(a, b) -> None:  # noqa: ANN001
    for name, x, y in zip(a.__dataclass_fields__, a.arrays(), b.arrays(), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-9, err_msg=name)


def test_thermal_tiers_behind_a_full_line_are_skipped():
    # demand 100 MW west, 900 MW east; the 200 MW line carries 180 MW east. The east's own coal
    # (300) and what arrives leave 420 MW unserved. The west's coal has headroom left after the
    # first tier's step, so its biomass and gas (tiers 2 and 3, west only) cannot help: their
    # steps are skipped, and the result is the reference's, which runs them
    s = scenario(
        buses=WEST_EAST,
        generators={
            "cw": {"bus": "w", "carrier": "coal", "p_nom": 2000, "marginal_cost": 250},
            "ce": {"bus": "e", "carrier": "coal", "p_nom": 300, "marginal_cost": 250},
            "bw": {"bus": "w", "carrier": "biomass", "p_nom": 100, "marginal_cost": 300},
            "gw": {"bus": "w", "carrier": "gas", "p_nom": 100, "marginal_cost": 500},
        },
        lines=LINE,
    )
    inputs, _ = pack(s, profiles(["w", "e"], hours=3))
    assert inputs.shape["K"] == 3
    counted, calls = _run_counted(inputs)
    kernel = run_kernel(inputs)
    reference = dispatch_reference(inputs)
    check_invariants(None, kernel, inputs)
    # per hour: the base match and the first tier; tiers 2 and 3 offer only at the blocked west
    assert calls == {"dispatch_year": 3, "_stage_supply": 3}
    np.testing.assert_allclose(kernel.line_p0[:, 0], 200.0)
    np.testing.assert_allclose(kernel.thermal[:, 0], [[300.0, 300.0]] * 3)
    np.testing.assert_allclose(kernel.thermal[:, 1:], 0.0)
    np.testing.assert_allclose(kernel.unserved[:, 1], 420.0)
    _same(kernel, counted)
    _same(kernel, reference)


def test_a_tier_at_a_bus_whose_first_tier_ran_out_is_not_skipped():
    # the same, but the west's coal is only 250 MW: the first tier uses all of it (100 local,
    # 150 east), the west is not blocked, and its biomass fills the line (50 MW more)
    s = scenario(
        buses=WEST_EAST,
        generators={
            "cw": {"bus": "w", "carrier": "coal", "p_nom": 250, "marginal_cost": 250},
            "ce": {"bus": "e", "carrier": "coal", "p_nom": 300, "marginal_cost": 250},
            "bw": {"bus": "w", "carrier": "biomass", "p_nom": 100, "marginal_cost": 300,
                   "p_max_pu": 1.0},
            "gw": {"bus": "w", "carrier": "gas", "p_nom": 100, "marginal_cost": 500},
        },
        lines=LINE,
    )  # fmt: skip
    inputs, _ = pack(s, profiles(["w", "e"], hours=2))
    counted, calls = _run_counted(inputs)
    kernel = run_kernel(inputs)
    # per hour: base match, coal, biomass; the gas offers at the now blocked west: skipped
    assert calls == {"dispatch_year": 2, "_stage_supply": 4}
    np.testing.assert_allclose(kernel.thermal[:, 1, 0], 50.0)
    np.testing.assert_allclose(kernel.line_p0[:, 0], 200.0)
    np.testing.assert_allclose(kernel.unserved[:, 1], 420.0)
    _same(kernel, counted)
    _same(kernel, dispatch_reference(inputs))


@pytest.mark.parametrize("flexible", [False, True])
def test_wants_behind_a_full_line_are_skipped(flexible):
    # wind surplus west, a deficit east behind the full line: the east's storage and flexible
    # load cannot be reached by the west's surplus, so their surplus steps are skipped
    s = scenario(
        buses=WEST_EAST,
        generators={
            "ww": {"bus": "w", "carrier": "wind", "p_nom": 1000},
            "ce": {"bus": "e", "carrier": "coal", "p_nom": 900, "marginal_cost": 250},
        },
        storage={
            "se": {
                "bus": "e",
                "kind": "new_type",
                "p_nom": 100,
                "max_hours": 2,
                "state_of_charge_initial": 0.0,
            }
        },
        flexible_loads=(
            {"fe": {"bus": "e", "kind": "electrolyser", "p_nom": 100}} if flexible else {}
        ),
        lines=LINE,
    )
    inputs, _ = pack(s, profiles(["w", "e"], hours=2, wind=np.array([[1.0, 0.0]] * 2)))
    counted, calls = _run_counted(inputs)
    kernel = run_kernel(inputs)
    assert calls == {"dispatch_year": 2, "_stage_supply": 2}  # base match, east coal
    np.testing.assert_allclose(kernel.st_charge, 0.0)
    np.testing.assert_allclose(kernel.curtail[:, 0], 1000.0 - 100.0 - 200.0)
    _same(kernel, counted)
    _same(kernel, dispatch_reference(inputs))
