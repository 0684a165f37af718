"""Kernel results written back into the PyPSA network: n.statistics agrees with the kernel."""

from __future__ import annotations

import pytest

from energysim.kernel import run_kernel
from energysim.kernel.pack import head
from energysim.network import build_network_from_packed, write_results
from energysim.results.build import to_dataset
from energysim.run import packed


def test_statistics_agree_with_kernel_summaries(repo):
    scenario, inputs, index = packed(repo / "scenarios" / "plan-2030.yaml")
    inputs, index = head(inputs, index, 24 * 14)
    ds = to_dataset(run_kernel(inputs), inputs, index, scenario, "kernel")
    n = write_results(build_network_from_packed(scenario, inputs, index), ds, scenario, index)
    supply = n.statistics.supply(components="Generator", groupby="carrier", nice_names=False) / 1e6
    assert supply[["wind", "solar", "csp"]].sum() == pytest.approx(float(ds.new_energy_used_TWh))
    assert supply[["coal", "coal_chp"]].sum() == pytest.approx(float(ds.coal_TWh))
    dispatch = n.statistics.supply(components="StorageUnit", nice_names=False).sum() / 1e6
    assert dispatch == pytest.approx(float(ds.storage_discharge.sum()) / 1e6)
    corridors = n.links_t.p0[list(index.corridors)].sum().sum() / 1e6
    assert corridors == pytest.approx(float(ds.export_TWh))
