"""Patch-based inference (MCUNetV2): the first stage run tile by tile with recomputed halos is
bit-exact with TFLite (a small netspec export and mcunet-vww), lowers the arena, and the chooser
keeps the extra MACs under its bound."""

from __future__ import annotations

import json

import pytest
from test_overlap import TINY, export_tiny  # the zoo-like netspec and its int8 export
from typer.testing import CliRunner

from tinyengine_codegen.backend.build import compile_model
from tinyengine_codegen.cli import app
from tinyengine_codegen.frontend.netspec import parse_netspec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.memory import check_plan, plan_memory
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.passes.patch import patch_graph, patch_regions, stage_input
from tinyengine_codegen.passes.patch_choice import choose_patches, first_stages


@pytest.fixture(scope="module")
def tiny_tflite(tmp_path_factory):
    return export_tiny(tmp_path_factory.mktemp("tiny-patch"))


def _tiny_graph():
    return run_passes(netspec_to_graph(parse_netspec(TINY)))


def test_patch_regions_tile_the_split_tensor_and_stay_inside_the_image():
    graph = _tiny_graph()
    stage = next(s for s in first_stages(graph) if graph.operators[s[1]].name == "blocks.1.project")
    split = graph.operators[stage[1]].outputs[0]
    _, h, w, _ = graph.tensors[split].shape
    covered = set()
    image = stage_input(graph, stage)
    for regions in patch_regions(graph, stage, (3, 2)):
        tile = regions[split]
        covered |= {(y, x) for y in range(tile.y0, tile.y1) for x in range(tile.x0, tile.x1)}
        for t, r in regions.items():
            _, th, tw, _ = graph.tensors[t].shape
            assert 0 <= r.y0 < r.y1 <= th and 0 <= r.x0 < r.x1 <= tw
        assert (
            regions[image].h < graph.tensors[image].shape[1]
            or regions[image].w < graph.tensors[image].shape[2]
        )
    assert len(covered) == h * w


def test_the_patched_graph_plans_a_smaller_arena_that_the_validator_accepts():
    graph = _tiny_graph()
    stage = next(s for s in first_stages(graph) if graph.operators[s[1]].name == "blocks.1.project")
    patched = patch_graph(graph, stage, (2, 2))
    plan = plan_memory(patched.graph, schedule=list(range(len(patched.graph.operators))))
    check_plan(patched.graph, plan)
    assert plan.arena_bytes < plan_memory(graph).arena_bytes
    assert 0 < patched.extra_macs < 0.5
    kinds = [op.kind for op in patched.graph.operators]
    assert kinds.count("PATCH_COPY") >= 2 * 4  # a gather and a scatter per patch


def test_the_chooser_respects_the_mac_bound():
    graph = _tiny_graph()
    for bound in (0.0, 0.05, 0.3):
        choice = choose_patches(graph, "auto", max_extra_macs=bound)
        if choice.patched is not None:
            assert choice.patched.extra_macs <= bound + 1e-9
            assert choice.plan is not None and choice.plan.arena_bytes < choice.base_plan.arena_bytes
        else:
            assert bound == 0.0 or choice.candidates == 0 or choice.plan is None
    assert choose_patches(graph, "auto", max_extra_macs=0.0).patched is None  # halos always cost MACs
    assert choose_patches(graph, "auto", max_extra_macs=0.3).patched is not None


def test_patch_mode_is_bit_exact_on_a_small_netspec_export(tiny_tflite):
    from tinyengine_codegen.backend.verify import verify_model

    report = verify_model(tiny_tflite, cases=2, patch="3x3", max_extra_macs=1.0, intermediates=True)
    assert report.passed
    compiled = compile_model(tiny_tflite, patch="3x3", max_extra_macs=1.0)
    assert compiled.patch is not None and compiled.patch.patched is not None
    assert report.arena_bytes == compiled.plan.arena_bytes


def test_patch_mode_is_bit_exact_on_mcunet_vww(shared_models):
    from tinyengine_codegen.backend.verify import verify_model

    report = verify_model(shared_models / "mcunet_vww.tflite", cases=1, patch="2x2")
    assert report.passed


def test_profile_reports_the_chosen_mode_and_rejects_a_bad_grid(tmp_path):
    spec = tmp_path / "tiny.json"
    spec.write_text(json.dumps(TINY))
    runner = CliRunner()
    result = runner.invoke(
        app, ["profile", str(spec), "--patch", "auto", "--max-extra-macs", "30%", "--json"]
    )
    assert result.exit_code == 0, result.output
    patch = json.loads(result.stdout)["patch"]
    assert patch["enabled"] and patch["extra_macs_percent"] <= 30
    assert patch["arena_with_patches"] < patch["arena_without_patches"]
    assert json.loads(runner.invoke(app, ["profile", str(spec), "--json"]).stdout)["patch"] is None
    bad = runner.invoke(app, ["profile", str(spec), "--patch", "0x4"])
    assert bad.exit_code == 2 and "--patch" in bad.output and "Traceback" not in bad.output
    bad = runner.invoke(app, ["build", str(spec), "-o", str(tmp_path / "p"), "--max-extra-macs", "lots"])
    assert bad.exit_code == 2 and "--max-extra-macs" in bad.output
