"""The tiny two-bus base scenario of the sweep tests (plain data)."""

from __future__ import annotations

BASE = {
    "name": "tiny",
    "year": 2030,
    "buses": {
        "a": {"grid": "mengxi", "x": 110.0, "y": 40.0, "demand_share": 0.6},
        "b": {"grid": "mengxi", "x": 108.0, "y": 39.5, "demand_share": 0.4},
    },
    "demand": {"annual_TWh": 20.0},
    "generators": {
        "a-wind": {"bus": "a", "carrier": "wind", "p_nom": 3000.0},
        "b-solar": {"bus": "b", "carrier": "solar", "p_nom": 2500.0},
        "b-solar-ded": {"bus": "b", "carrier": "solar", "p_nom": 800.0, "dedicated_to": "b-out"},
        "a-coal": {
            "bus": "a",
            "carrier": "coal",
            "p_nom": 2500.0,
            "p_min_pu": 0.3,
            "marginal_cost": 250.0,
        },
        "b-chp": {
            "bus": "b",
            "carrier": "coal_chp",
            "p_nom": 600.0,
            "p_min_pu": 0.2,
            "p_min_pu_heating": 0.6,
            "marginal_cost": 250.0,
        },
        "b-bio": {"bus": "b", "carrier": "biomass", "p_nom": 200.0, "marginal_cost": 300.0},
        "a-hydro": {"bus": "a", "carrier": "hydro", "p_nom": 100.0},
    },
    "storage": {
        "a-bat": {"bus": "a", "kind": "new_type", "p_nom": 600.0, "max_hours": 4.0},
        "b-bat": {"bus": "b", "kind": "new_type", "p_nom": 400.0, "max_hours": 2.0},
        "b-phs": {
            "bus": "b",
            "kind": "pumped_hydro",
            "p_nom": 300.0,
            "max_hours": 6.0,
            "efficiency_store": 0.87,
            "efficiency_dispatch": 0.87,
        },
    },
    "flexible_loads": {
        "a-h2": {"bus": "a", "kind": "electrolyser", "p_nom": 300.0, "p_min_pu": 0.1}
    },
    "lines": {"a-b": {"bus0": "a", "bus1": "b", "p_nom": 1500.0}},
    "corridors": {
        "b-out": {
            "bus": "b",
            "receiving_grid": "jjj",
            "p_nom": 1500.0,
            "in_service_year": 2029,
            "utilisation_hours": 4000,
            "delivery_curve": "solar_shaped",
            "min_renewable_share": 0.5,
        },
        "a-out": {
            "bus": "a",
            "receiving_grid": "shandong",
            "p_nom": 1000.0,
            "in_service_year": 2020,
            "utilisation_hours": 3000,
        },
    },
    "demand_response": {"share_of_peak": 0.03},
    "targets": {
        "new_energy_GW": 6.0,
        "new_type_storage_GW": 1.0,
        "new_energy_local_TWh": 5.0,
        "new_energy_export_TWh": 1.0,
    },
}
