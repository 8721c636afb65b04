"""tinynas prices SRAM with patch-based inference when asked (`--patch auto`): the arena te-gen
plans with `--patch auto`, recorded with the grid, split and extra MACs; off is today's pricing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tinyengine_codegen.frontend.netspec import load_netspec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.profile import profile_graph
from tinynas.cli import app
from tinynas.pipeline.presets import get_preset
from tinynas.pipeline.steps import RunContext, build_command
from tinynas.space.optimize import evaluate_space
from tinynas.space.pricing import NO_PATCHES, PatchPolicy, parse_patch_policy, price_netspec
from tinynas.space.scaling import scaled_config

ZOO = Path(__file__).parents[2] / "packages/tinynas/src/tinynas/zoo"
AUTO = PatchPolicy("auto", 0.2)


def test_a_budget_only_patches_meet_is_met_with_patch_auto():
    spec = load_netspec(ZOO / "mcunet-in0.json")
    compiled = profile_graph(netspec_to_graph(spec), patch="auto")  # what te-gen build --patch auto plans
    layer_by_layer = price_netspec(spec, 24 * 1024, 1 << 20)
    patched = price_netspec(spec, 24 * 1024, 1 << 20, AUTO)
    assert not layer_by_layer.fits and layer_by_layer.patch is None
    assert patched.fits and patched.sram_bytes == compiled.arena_bytes < layer_by_layer.sram_bytes
    assert patched.macs == layer_by_layer.macs  # the network's MACs; the halos' are in the patch record
    assert patched.patch == {
        "grid": compiled.patch["grid"], "split_after": compiled.patch["split_after"],
        "extra_macs_percent": compiled.patch["extra_macs_percent"],
        "macs_with_patches": compiled.patch["macs_with_patches"],
        "arena_without_patches": layer_by_layer.sram_bytes,
    }
    tight = price_netspec(spec, 24 * 1024, 1 << 20, PatchPolicy("auto", 0.05))
    assert tight.patch is None or tight.patch["extra_macs_percent"] <= 5


def test_space_optimisation_with_patches_fits_more_compute():
    cfg = scaled_config(0.5, 64, 1000, 3)
    off = evaluate_space(cfg, 0.5, 16, 40 * 1024, 2 << 20, seed=1)
    auto = evaluate_space(cfg, 0.5, 16, 40 * 1024, 2 << 20, seed=1, patches=AUTO)
    assert auto.fitting > off.fitting
    assert set(off.fitting_macs) <= set(auto.fitting_macs)  # what fits layer by layer fits with patches
    assert auto.priced == 16 and auto.smallest.sram_bytes <= off.smallest.sram_bytes


def test_cli_space_records_the_patch_mode(tmp_path):
    args = ["space", "--sram", "40KB", "--flash", "2MB", "--widths", "0.5", "--resolutions", "64",
            "--samples", "6", "--patch", "auto", "--max-extra-macs", "15%", "-o", str(tmp_path / "s.json")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["constraints"]["patches"] == {"mode": "auto", "max_extra_macs": 0.15}
    assert "patches auto" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["space", "--sram", "40KB", "--flash", "1MB", "--patch", "3x"],
         "--patch '3x': expected off or auto"),
        (["space", "--sram", "40KB", "--flash", "1MB", "--patch", "auto", "--max-extra-macs", "-1"],
         "--max-extra-macs '-1'"),
        (["search", "--supernet", "{tmp}/s.pt", "--data", "builtin:fashion-mnist", "-o", "{tmp}/b.json",
          "--patch", "3x"], "--patch '3x': expected off or auto"),
        (["search", "--supernet", "{tmp}/s.pt", "--data", "builtin:fashion-mnist", "-o", "{tmp}/b.json",
          "--patch", "auto", "--max-extra-macs", "-1"], "--max-extra-macs '-1'"),
        (["run", "--data", "builtin:fashion-mnist", "-o", "{tmp}/out", "--patch", "4x4"],
         "--patch '4x4': expected off or auto"),
    ],
)
def test_bad_patch_options_are_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_parse_patch_policy():
    assert parse_patch_policy("off", "20%") == NO_PATCHES
    assert parse_patch_policy("AUTO", "0.1") == PatchPolicy("auto", 0.1)


def test_the_pipeline_builds_with_the_patch_mode_it_searched_with(tmp_path: Path) -> None:
    for patches in (NO_PATCHES, PatchPolicy("auto", 0.15)):
        ctx = RunContext(out=tmp_path, data="builtin:fashion-mnist", board="stm32f746", board_info={},
                         channels=1, num_classes=10, preset=get_preset("demo", patches=patches))
        command = build_command(ctx)
        assert command[:2] == ["te-gen", "build"]
        at = command.index("--patch")
        assert command[at + 1] == patches.mode
        assert float(command[command.index("--max-extra-macs") + 1]) == patches.max_extra_macs
