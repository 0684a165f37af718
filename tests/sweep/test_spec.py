"""Sweep files: validation errors name the file, the dotted path and the bad value; expansion."""

from __future__ import annotations

import pytest

from energysim.exceptions import ConfigError
from energysim.sweep.spec import default_figures, load_sweep


def _error(write_sweep, spec: dict) -> ConfigError:
    path = write_sweep(spec)
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    assert info.value.file == str(path)
    return info.value


def test_bad_path_names_file_path_and_key(write_sweep):
    err = _error(
        write_sweep,
        {
            "axes": [
                {"path": "demand.annual_TWh", "values": [1]},
                {"path": "storage.a-bat.p_nomm", "values": [1.0]},
            ]
        },
    )
    assert err.path == "axes.1.path"
    assert "storage.a-bat.p_nomm" in err.message and "'p_nomm'" in err.message
    assert "p_nom" in err.message  # lists what exists


def test_path_into_a_number_is_an_error(write_sweep):
    err = _error(write_sweep, {"axes": [{"path": "demand.annual_TWh.x", "values": [1]}]})
    assert "float" in err.message


def test_new_map_keys(write_sweep):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {"path": "capacity_totals_GW.new_type_storage", "values": [1, 2]},
                    {
                        "path": "storage.c-bat",
                        "values": [
                            {"bus": "a", "kind": "new_type", "p_nom": 5.0, "max_hours": 2.0}
                        ],
                    },
                ]
            }
        )
    )
    assert sweep.shape == (2, 1)
    err = _error(write_sweep, {"axes": [{"path": "capacity_totals_GW.batteries", "values": [1]}]})
    assert "batteries" in err.message and "new_type_storage" in err.message
    err = _error(write_sweep, {"axes": [{"path": "storage.c-bat.p_nom", "values": [1]}]})
    assert "'c-bat'" in err.message


def test_zip_axes_of_unequal_length(write_sweep):
    err = _error(
        write_sweep,
        {
            "mode": "zip",
            "axes": [
                {"path": "weather.seed", "values": [0, 1, 2]},
                {"path": "demand.annual_TWh", "values": [10, 20]},
            ],
        },
    )
    assert err.path == "axes" and "3" in err.message and "2" in err.message


@pytest.mark.parametrize(
    ("rng", "where"),
    [
        ({"start": 0, "stop": 10, "step": 0}, "axes.0.values.step"),
        ({"start": 10, "stop": 0, "step": 1}, "axes.0.values.step"),
        ({"start": 0, "stop": 10}, "axes.0.values"),
        ({"start": 0, "stop": 10, "step": 1, "num": 3}, "axes.0.values"),
        ({"start": 0, "stop": 10, "num": 0}, "axes.0.values.num"),
    ],
)
def test_bad_ranges(write_sweep, rng, where):
    err = _error(write_sweep, {"axes": [{"path": "demand.annual_TWh", "values": rng}]})
    assert err.path.startswith(where)


def test_ranges_expand_inclusive(write_sweep):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {
                        "path": "capacity_totals_GW.new_type_storage",
                        "values": {"start": 40, "stop": 80, "step": 10},
                    },
                    {
                        "path": "weather.wind_cf_scale",
                        "values": {"start": 0.8, "stop": 1.0, "step": 0.1},
                    },
                    {"path": "demand.annual_TWh", "values": {"start": 10, "stop": 20, "num": 3}},
                ]
            }
        )
    )
    assert sweep.values == ((40, 50, 60, 70, 80), (0.8, 0.9, 1.0), (10.0, 15.0, 20.0))
    assert all(isinstance(v, int) for v in sweep.values[0])
    assert sweep.n_points == 45


def test_product_and_zip_expansion(write_sweep):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {"path": "weather.seed", "values": [0, 1]},
                    {"path": "demand.annual_TWh", "values": [10, 20, 30]},
                ]
            }
        )
    )
    points = sweep.points()
    assert [p.index for p in points][:4] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert points[4].overrides == (("weather.seed", 1), ("demand.annual_TWh", 20))
    zipped = load_sweep(
        write_sweep(
            {
                "mode": "zip",
                "axes": [
                    {"path": "weather.seed", "values": [0, 1]},
                    {"path": "demand.annual_TWh", "values": [10, 20]},
                ],
            }
        )
    )
    assert zipped.shape == (2,)
    assert zipped.points()[1].overrides == (("weather.seed", 1), ("demand.annual_TWh", 20))


def test_derived_axis_wind_share(write_sweep):
    sweep = load_sweep(
        write_sweep(
            {
                "axes": [
                    {
                        "name": "wind_share",
                        "values": [0.25, 0.5],
                        "set": {
                            "capacity_totals_GW.wind": {"scale": 8.0},
                            "capacity_totals_GW.solar": {"scale": -8.0, "offset": 8.0},
                        },
                    }
                ]
            }
        )
    )
    assert sweep.names == ("wind_share",)
    assert sweep.points()[0].overrides == (
        ("capacity_totals_GW.wind", 2.0),
        ("capacity_totals_GW.solar", 6.0),
    )
    err = _error(write_sweep, {"axes": [{"values": [1], "set": {"demand.annual_TWh": {}}}]})
    assert err.path == "axes.0.name"


def test_other_errors(write_sweep):
    assert (
        "unknown key"
        in _error(
            write_sweep, {"axes": [{"path": "weather.seed", "values": [0]}], "modes": "zip"}
        ).message
    )
    err = _error(write_sweep, {"axes": [{"path": "weather.seed", "values": [0, 0]}]})
    assert "twice" in err.message
    err = _error(
        write_sweep,
        {
            "axes": [{"path": "weather.seed", "values": [0]}],
            "figures": ["new_energy_local_TWh", "nonsense"],
        },
    )
    assert err.path == "figures.1" and "nonsense" in err.message
    err = _error(
        write_sweep, {"base": "missing.yaml", "axes": [{"path": "weather.seed", "values": [0]}]}
    )
    assert err.path == "base"


def test_default_figures_include_verdicts(write_sweep):
    sweep = load_sweep(write_sweep({"axes": [{"path": "weather.seed", "values": [0]}]}))
    assert sweep.figures == default_figures()
    assert "meets_new_energy_local_TWh" in sweep.figures and "renewable_weight" in sweep.figures
