"""Search-space optimisation: MCUNet's space, bounds that never reject a fitting net, the command."""

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from tinyengine_codegen.profile import profile_netspec
from tinynas.cli import app
from tinynas.space import evaluate_space, optimize_spaces, report_to_dict, scaled_config
from tinynas.space.bounds import lower_bounds
from tinynas.supernet.arch import sample, to_netspec
from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.space import config_from_space
from tinynas.zoo import load_zoo

runner = CliRunner()
KB = 1024


@pytest.mark.parametrize(("name", "width"), [("mcunet-in0", 0.6), ("mcunet-in1", 0.5), ("mcunet-in4", 1.0)])
def test_scaled_space_has_the_channels_of_the_released_models(name, width):
    spec, cfg = load_zoo(name), scaled_config(width, load_zoo(name).resolution[0])
    assert cfg.stem_channels == spec.stem_channels
    assert cfg.first_block_channels == spec.blocks[0].out_channels
    released = list(dict.fromkeys(b.out_channels for b in spec.blocks[1:]))
    assert [s.out_channels for s in cfg.stages] == released


def test_lower_bounds_never_exceed_what_te_gen_reports():
    rng = random.Random(7)
    for width, res in [(0.3, 96), (0.5, 176), (0.8, 128), (1.0, 224)]:
        cfg = scaled_config(width, res)
        for _ in range(25):
            spec = to_netspec(cfg, sample(cfg, rng))
            sram, flash = lower_bounds(spec)
            report = profile_netspec(spec)
            assert sram <= report.arena_bytes and flash <= report.flash_bytes, spec.name


def test_bounds_change_the_speed_not_the_result():
    cfg = scaled_config(0.5, 176)
    fast = evaluate_space(cfg, 0.5, 60, 320 * KB, 1024 * KB, seed=3, use_bounds=True)
    slow = evaluate_space(cfg, 0.5, 60, 320 * KB, 1024 * KB, seed=3, use_bounds=False)
    assert np.array_equal(fast.fitting_macs, slow.fitting_macs)
    assert 0 < fast.fitting < 60 and fast.priced < slow.priced == 60


def test_spaces_are_ranked_by_the_compute_of_fitting_samples():
    report = optimize_spaces([0.3, 0.5], [96, 176], 320 * KB, 1024 * KB, samples=30)
    scores = [s.score("mean") for s in report.spaces if s.fit_fraction >= report.min_fit]
    assert scores == sorted(scores, reverse=True) and report.best is report.spaces[0]
    doc = report_to_dict(report)
    assert SupernetConfig.from_dict(doc["best"]["config"]) == report.best.config
    cdf = doc["spaces"][0]["cdf"]
    assert cdf[0][1] == 0.0 and cdf[-1][1] == 1.0 and cdf[-1][0] == doc["spaces"][0]["max_macs"]


def _space(*args: str):
    return runner.invoke(app, ["space", "--sram", "320KB", "--flash", "1MB", *args])


def test_cli_space_for_the_stm32f746_budget_writes_json_and_plot(tmp_path):
    out, plot = tmp_path / "space.json", tmp_path / "cdf.png"
    result = _space(*["--widths", "0.3,0.5", "--resolutions", "112,176", "--samples", "40", "--json"],
                    "-o", str(out), "--plot", str(plot))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert json.loads(result.stdout) == doc
    assert doc["format"] == "tinynas-space/1" and len(doc["spaces"]) == 4
    assert doc["constraints"] == {"sram_bytes": 320 * KB, "flash_bytes": 1024 * KB,
                                  "patches": {"mode": "off", "max_extra_macs": 0.2}}
    best = doc["spaces"][0]
    assert best["fitting"] > 0 and best["name"] == doc["best"]["name"]
    assert config_from_space(out, 3, 1000) == SupernetConfig.from_dict(doc["best"]["config"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    human = _space(*["--widths", "0.5", "--resolutions", "144", "--samples", "10"])
    assert human.exit_code == 0 and "best: w0.5-r144" in human.stdout


@pytest.mark.parametrize(("args", "message"), [
    ("--sram 320XB --flash 1MB", "--sram"),
    ("--sram 320KB --flash 1MB --widths 0.5,abc", "--widths"),
    ("--sram 320KB --flash 1MB --criterion median", "--criterion"),
])
def test_cli_space_bad_input_is_one_line_exit_2(tmp_path, args, message):
    result = runner.invoke(app, ["space", *args.split(), "--samples", "5", "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "s.json").exists()


def test_cli_space_where_nothing_fits_exits_1(tmp_path):
    args = ["space", "--sram", "8KB", "--flash", "1MB", "--widths", "0.5", "--resolutions", "96",
            "--samples", "5"]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 1 and "no sampled sub-network fits" in result.output
    assert json.loads((tmp_path / "s.json").read_text())["best"] is None
