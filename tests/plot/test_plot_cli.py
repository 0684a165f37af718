"""`energysim plot` and figure export: formats, dpi, atomic writes, clear errors."""

from __future__ import annotations

import matplotlib.image as mpimg
import pytest

from energysim.cli import main
from energysim.exceptions import EnergysimError
from energysim.plot.charts import draw
from energysim.plot.export import save_figure


@pytest.fixture(scope="module")
def results_nc(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("plot") / "results.nc"
    results.to_netcdf(path)
    return path


@pytest.fixture(scope="module")
def sweep_nc(sweep, tmp_path_factory):
    path = tmp_path_factory.mktemp("plot") / "sweep.nc"
    sweep.to_netcdf(path)
    return path


def test_export_formats_and_dpi(results, tmp_path):
    fig = draw("duration", results)
    png = save_figure(fig, tmp_path / "a.png", dpi=50)
    png2 = save_figure(fig, tmp_path / "b.png", dpi=100)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    w1, w2 = mpimg.imread(png).shape[1], mpimg.imread(png2).shape[1]
    assert w2 == pytest.approx(2 * w1, rel=0.05)
    svg = save_figure(fig, tmp_path / "a.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert save_figure(fig, tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "a.png", "a.svg", "b.png"]
    with pytest.raises(EnergysimError, match="suffix must be one of"):
        save_figure(fig, tmp_path / "a.jpg")


def test_cli_plot_results(results_nc, tmp_path, capsys):
    out = tmp_path / "dispatch.png"
    argv = [
        "plot",
        str(results_nc),
        "--kind",
        "dispatch",
        "--start",
        "2030-02-01",
        "--days",
        "3",
        "-o",
        str(out),
        "--dpi",
        "60",
    ]
    assert main(argv) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().out
    assert main(["plot", str(results_nc), "--kind", "map", "-o", str(tmp_path / "m.svg")]) == 0


def test_cli_plot_sweep(sweep_nc, tmp_path):
    out = tmp_path / "f.pdf"
    assert main(["plot", str(sweep_nc), "--kind", "feasibility", "-o", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert (
        main(
            [
                "plot",
                str(sweep_nc),
                "--kind",
                "weather",
                "--figure",
                "renewable_weight",
                "-o",
                str(tmp_path / "w.png"),
                "--dpi",
                "50",
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--kind", "pie"], "expected one of ['corridors', 'dispatch'"),
        (["--kind", "feasibility"], "needs a sweep Dataset"),
        (["--kind", "map", "-o", "x.jpg"], "suffix must be one of"),
    ],
)
def test_cli_plot_errors(results_nc, tmp_path, capsys, argv, message):
    args = ["plot", str(results_nc), "-o", str(tmp_path / "x.png"), *argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("energysim: error:") and message in err
    assert not list(tmp_path.glob("*.png"))


def test_cli_plot_missing_file(tmp_path, capsys):
    argv = ["plot", str(tmp_path / "none.nc"), "--kind", "map", "-o", str(tmp_path / "x.png")]
    assert main(argv) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_plot_sweep_unknown_figure(sweep_nc, tmp_path, capsys):
    argv = ["plot", str(sweep_nc), "--kind", "feasibility", "--figure", "new_energy_local"]
    assert main([*argv, "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("energysim: error: --figure 'new_energy_local' is not a figure")
    assert "new_energy_local_TWh" in err and not (tmp_path / "f.png").exists()
