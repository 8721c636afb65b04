"""Evolutionary search under a memory budget that rules out the largest sub-networks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nas_nets import tiny_space
from torch.utils.data import DataLoader

from tinyengine_codegen.frontend.netspec import load_netspec
from tinyengine_codegen.profile import profile_netspec
from tinynas.checkpoint import load_checkpoint
from tinynas.data import load_data
from tinynas.evaluate import evaluate
from tinynas.model import build_model
from tinynas.search.driver import SearchRequest, search_supernet
from tinynas.supernet import largest, smallest, to_netspec, train_supernet
from tinynas.supernet.train import TrainOptions

CFG = tiny_space(16, [(16, 2, (1, 2)), (24, 2, (1, 2)), (32, 1, (1, 2))])


@pytest.fixture(scope="module")
def supernet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("supernet") / "supernet.pt"
    splits = load_data("builtin:fashion-mnist", (16, 16), 1, train_subset=256, val_subset=64)
    summary = train_supernet(CFG, splits, TrainOptions(epochs=1, batch_size=32, steps_per_epoch=6), out,
                             progress=False)
    assert summary["steps"] == 6 and out.is_file()
    return out


def test_search_respects_the_memory_budget(supernet_file: Path, tmp_path: Path) -> None:
    big = profile_netspec(to_netspec(CFG, largest(CFG))).arena_bytes
    small = profile_netspec(to_netspec(CFG, smallest(CFG))).arena_bytes
    budget = (big + small) // 2
    req = SearchRequest(supernet=supernet_file, data="builtin:fashion-mnist", out=tmp_path / "best.json",
                        sram=budget, flash=1 << 20, population=8, generations=2, bn_batches=2,
                        bn_batch_size=50, val_images=200, plot=True)
    summary = search_supernet(req, progress=False)

    spec = load_netspec(tmp_path / "best.json")
    report = profile_netspec(spec, sram=budget, flash=1 << 20)
    assert report.fits and report.arena_bytes == summary["best"]["sram_bytes"] <= budget

    history = json.loads((tmp_path / "best.history.json").read_text())
    assert history["format"] == "tinynas-search/1"
    over = [c for c in history["candidates"] if c["sram_bytes"] > budget]
    assert over, "the budget should rule out some priced candidates"
    assert all(not c["fits"] and c["accuracy"] is None for c in over)
    assert all(c["fits"] == (c["sram_bytes"] <= budget) for c in history["candidates"])
    timing = history["timing"]
    assert timing["accuracy_eval_seconds"] > timing["memory_pricing_seconds"] > 0
    assert (tmp_path / "best.search.png").stat().st_size > 1000

    # The weights written are the inherited ones with recalibrated BN: same accuracy standalone.
    ckpt = load_checkpoint(tmp_path / "best.pt")
    model = build_model(spec)
    model.load_state_dict(ckpt["model"])
    val = load_data("builtin:fashion-mnist", (16, 16), 1, augment=False, val_subset=200).val
    metrics = evaluate(model, DataLoader(val, batch_size=100))
    assert metrics.top1 == pytest.approx(100 * summary["best"]["accuracy"], abs=0.51)


def test_search_refuses_a_budget_nothing_fits(supernet_file: Path, tmp_path: Path) -> None:
    from tinynas.errors import WorkError

    req = SearchRequest(supernet=supernet_file, data="builtin:fashion-mnist", out=tmp_path / "best.json",
                        sram=64, flash=1 << 20, population=4, generations=1)
    with pytest.raises(WorkError, match="smallest sub-network does not fit"):
        search_supernet(req, progress=False)
    assert not (tmp_path / "best.json").exists()


def test_search_under_a_latency_table(supernet_file: Path, tmp_path: Path) -> None:
    from tinynas.latency.measure import space_layers
    from tinynas.latency.table import LatencyTable, load_table

    layers = space_layers(CFG)
    cost = {la.key: float(la.height * la.width * la.out_channels * la.kernel_size ** 2 *
                          (1 if la.kind == "depthwise" else la.in_channels)) for la in layers}
    table = LatencyTable("stm32f746", "qemu", True, "emulated_instructions", 216_000_000, cost)
    (tmp_path / "lut.json").write_text(json.dumps(table.to_dict()))
    table = load_table(tmp_path / "lut.json")
    fast, slow = (table.latency_ms(to_netspec(CFG, f(CFG))) for f in (smallest, largest))
    limit = (fast + slow) / 2
    req = SearchRequest(supernet=supernet_file, data="builtin:fashion-mnist", out=tmp_path / "best.json",
                        sram=1 << 20, flash=1 << 20, latency_ms=limit, board="stm32f746",
                        latency_table=tmp_path / "lut.json", population=6, generations=1, bn_batches=1,
                        bn_batch_size=50, val_images=100)
    summary = search_supernet(req, progress=False)
    assert summary["latency_kind"] == "emulated-instructions"
    assert summary["best"]["latency_ms"] == pytest.approx(table.latency_ms(load_netspec(req.out)))
    assert summary["best"]["latency_ms"] <= limit
    history = json.loads((tmp_path / "best.history.json").read_text())
    assert all(c["fits"] == (c["latency_ms"] <= limit) for c in history["candidates"])


def test_search_with_patches_prices_what_te_gen_builds_with_patch_auto(supernet_file: Path,
                                                                       tmp_path: Path) -> None:
    """`--patch auto`: candidates priced with patch-based inference, so networks over the budget layer
    by layer can win; the winner's arena is the one te-gen plans with --patch auto (graph path)."""
    from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
    from tinyengine_codegen.profile import profile_graph
    from tinynas.space.pricing import PatchPolicy

    budget = profile_netspec(to_netspec(CFG, largest(CFG)), patch="auto").arena_bytes
    assert budget < profile_netspec(to_netspec(CFG, largest(CFG))).arena_bytes
    req = SearchRequest(supernet=supernet_file, data="builtin:fashion-mnist", out=tmp_path / "best.json",
                        sram=budget, flash=1 << 20, population=6, generations=1, bn_batches=1,
                        bn_batch_size=50, val_images=100, patches=PatchPolicy("auto", 0.2))
    summary = search_supernet(req, progress=False)
    best = summary["best"]
    assert summary["patches"] == {"mode": "auto", "max_extra_macs": 0.2}
    compiled = profile_graph(netspec_to_graph(load_netspec(req.out)), patch="auto", max_extra_macs=0.2)
    assert compiled.arena_bytes == best["sram_bytes"] <= budget
    if compiled.patch["enabled"]:
        assert best["patch"]["grid"] == compiled.patch["grid"]
        assert best["patch"]["split_after"] == compiled.patch["split_after"]
        assert best["patch"]["extra_macs_percent"] == compiled.patch["extra_macs_percent"] <= 20
    else:
        assert best["patch"] is None
    history = json.loads((tmp_path / "best.history.json").read_text())
    assert history["constraints"]["patches"]["mode"] == "auto"
    fitting = [c for c in history["candidates"] if c["fits"]]
    # some fitting candidates are over the budget layer by layer: patches made them fit
    assert any(c["patch"] and c["patch"]["arena_without_patches"] > budget for c in fitting)
    assert all(c["fits"] == (c["sram_bytes"] <= budget) for c in history["candidates"])
