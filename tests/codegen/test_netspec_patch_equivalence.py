"""The fast patch pricing (``netspec_patch``, what tinynas's search prices with ``--patch auto``)
equals the graph path (``netspec_to_graph`` + ``choose_patches`` + the planner) computed in the
same run: the arena, the grid, the split, the extra MACs, the lower bound and peak, the Flash.

Every zoo netspec and random candidates of MCUNet spaces (tinynas's own sampler), under the
default MAC bound, tighter and looser ones, and an explicit grid. Speed is measured in
``benchmarks/patch_pricing_speed.py``, never asserted here.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tinyengine_codegen.frontend.netspec import load_netspec
from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.netspec_patch import patch_profile
from tinyengine_codegen.profile import profile_graph, profile_netspec

space = pytest.importorskip("tinynas.supernet.space")
arch = pytest.importorskip("tinynas.supernet.arch")

ZOO = sorted((Path(__file__).parents[2] / "packages/tinynas/src/tinynas/zoo").glob("*.json"))
PATCH_FIELDS = ("mode", "enabled", "arena_without_patches", "arena_with_patches", "grid", "stage",
                "split_after", "split_tensor", "macs_without_patches", "macs_with_patches",
                "extra_macs_percent")  # fmt: skip
REPORT_FIELDS = ("arena_bytes", "lower_bound", "peak_op", "peak_kind", "macs", "params", "weight_bytes",
                 "code_bytes_estimate", "flash_bytes", "fits_sram", "fits_flash", "fits")  # fmt: skip
SRAM, FLASH = 256 * 1024, 1024 * 1024


def _same(spec, patch: str = "auto", bound: float = 0.2) -> dict:
    fast = profile_netspec(spec, SRAM, FLASH, patch=patch, max_extra_macs=bound)
    full = profile_graph(netspec_to_graph(spec), SRAM, FLASH, patch=patch, max_extra_macs=bound)
    assert [fast.patch.get(f) for f in PATCH_FIELDS] == [full.patch.get(f) for f in PATCH_FIELDS], spec.name
    assert [getattr(fast, f) for f in REPORT_FIELDS] == [getattr(full, f) for f in REPORT_FIELDS], spec.name
    return fast.patch


@pytest.mark.slow  # the graph path takes seconds on the larger zoo networks
@pytest.mark.parametrize("path", ZOO, ids=[p.stem for p in ZOO])
def test_zoo_netspecs_price_like_the_graph_path(path):
    patch = _same(load_netspec(path))
    assert patch["enabled"]  # every zoo network gains from patches under 20% extra MACs


def _sampled(width: float, resolutions: tuple[int, ...], count: int, seed: int) -> list:
    rng = random.Random(seed)
    specs = []
    for resolution in resolutions:
        cfg = space.mcunet_space(width, resolution, 3, 1000)
        specs += [arch.to_netspec(cfg, arch.sample(cfg, rng)) for _ in range(count)]
    return specs


@pytest.mark.parametrize("width", (0.3, 0.6))
def test_sampled_candidates_price_like_the_graph_path(width):
    enabled = 0
    for i, spec in enumerate(_sampled(width, (48, 80), 1, int(width * 10))):
        bound = (0.2, 0.08, 0.3)[i % 3]
        enabled += _same(spec, "auto", bound)["enabled"]
    assert enabled > 0


def test_an_explicit_grid_prices_like_the_graph_path():
    specs = _sampled(0.4, (64, 80), 2, 7)
    for spec, grid in zip(specs, ("3x3", "2x3", "4x4", "8x8"), strict=True):
        _same(spec, grid, 0.3)
    _same(specs[0], "3x3", 0.0)  # no stage within the bound: patches off, like the graph path


def test_the_plan_read_from_a_fast_report_is_the_patched_plan():
    spec = load_netspec(ZOO[1])
    fast = patch_profile(spec, None, None, "auto", 0.2)
    assert fast.plan is not None and fast.plan.arena_bytes == fast.arena_bytes
    assert len(fast.ops) == len(fast.plan.schedule)
    assert profile_netspec(spec, patch="off").patch is None


def test_candidate_bounds_are_the_planners_lower_bounds():
    """The bound that orders and prunes the candidates is exactly the unrolled plan's largest live
    bytes (so pruning by it never drops a candidate that could win)."""
    from tinyengine_codegen.netspec_fast import fast_figures
    from tinyengine_codegen.netspec_patch import _Net, _Unrolled, candidates, exact_bound, plan_unrolled

    for spec in [load_netspec(ZOO[2]), *_sampled(0.5, (96,), 2, 3)]:
        _, figures = fast_figures(spec)
        net = _Net(spec)
        found = candidates(net, "auto", 0.2, figures.live_bytes)
        for cand, rows, cols in found[:: max(1, len(found) // 6)]:
            _, lower, _ = plan_unrolled(_Unrolled(net, cand.last, rows, cols))
            assert cand.bound <= exact_bound(net, cand, rows, cols) == lower, (spec.name, cand)


def test_one_patch_per_class_places_like_every_patch():
    """The placement over one patch per class (``_one_patch_per_class``) ends where the placement
    over every buffer of the unrolled stage does."""
    from tinyengine_codegen.memory.chain import _conflict_lists, _conflict_pairs, _span
    from tinyengine_codegen.memory.lifetimes import liveness
    from tinyengine_codegen.netspec_fast import fast_figures
    from tinyengine_codegen.netspec_patch import _arena_below, _Net, _Unrolled, candidates, plan_unrolled

    compressed = 0
    for spec in _sampled(0.3, (64,), 2, 5) + _sampled(0.7, (112,), 2, 5):
        _, figures = fast_figures(spec)
        net = _Net(spec)
        found = candidates(net, "auto", 0.3, figures.live_bytes)
        for cand, rows, cols in found[::9]:
            unrolled = _Unrolled(net, cand.last, rows, cols)
            arena, lower, _ = plan_unrolled(unrolled)
            problem = unrolled.problem()
            live = liveness(problem, list(range(len(problem.op_inputs))), 4, True)
            items = [[(m.size, m.start, m.end) for m in item.members] for item in live.items]
            conf = _conflict_lists(len(items), _conflict_pairs(items, live.overlap_pairs))
            spans = [_span(ms) for ms in items]
            assert arena == _arena_below(spans, live.overlap_pairs, 4, lower, conf, None), cand
            compressed += len(set(unrolled.classes)) < len(unrolled.classes)
    assert compressed > 0


def test_one_network_at_several_resolutions_prices_like_the_graph_path():
    """The caches shared between candidates (tile shapes, patch templates) hold nothing that
    depends on the resolution beyond their keys: the same blocks at 48, 64 and 80 pixels (equal
    tiles of different split tensors), priced one after the other."""
    from dataclasses import replace

    base = load_netspec(ZOO[1])  # mcunet-in0, 48 x 48
    for side in (48, 64, 80, 64):
        _same(replace(base, resolution=(side, side), name=f"in0-r{side}"))
