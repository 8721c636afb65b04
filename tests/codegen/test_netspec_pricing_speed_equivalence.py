"""The netspec fast path (what tinynas's search prices) equals the full pipeline, field for field.

Candidates are drawn by tinynas's own sampler over MCUNet spaces of every width and a range of
resolutions (patch mode off, overlapped buffers on: the defaults of ``profile_netspec``), and
each is priced twice: ``profile_netspec`` (block caches, ``memory.chain``) and
``netspec_to_graph`` + ``run_passes`` + the planner (``profile_graph``). Speed is measured in
``benchmarks/planner_speed.py``, never asserted here.
"""

from __future__ import annotations

import random

import pytest

from tinyengine_codegen.frontend.netspec_graph import netspec_to_graph
from tinyengine_codegen.memory.chain import _KEYS, _heuristics
from tinyengine_codegen.memory.lifetimes import Item, Member
from tinyengine_codegen.memory.placement import ORDERINGS
from tinyengine_codegen.netspec_fast import _Layers
from tinyengine_codegen.profile import profile_graph, profile_netspec

space = pytest.importorskip("tinynas.supernet.space")
arch = pytest.importorskip("tinynas.supernet.arch")

WIDTHS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
RESOLUTIONS = (48, 96, 128, 176, 224)
PER_SPACE = 7  # 9 x 5 spaces: 315 candidates
SRAM, FLASH = 320 * 1024, 1024 * 1024


def _candidates(width: float) -> list:
    rng = random.Random(int(width * 10))
    specs = []
    for resolution in RESOLUTIONS:
        cfg = space.mcunet_space(width, resolution, 3, 1000)
        specs += [arch.to_netspec(cfg, arch.sample(cfg, rng)) for _ in range(PER_SPACE)]
    return specs


@pytest.mark.parametrize("width", WIDTHS)
def test_fast_pricing_equals_the_full_pipeline(width):
    hard = 0
    for spec in _candidates(width):
        fast = profile_netspec(spec, sram=SRAM, flash=FLASH)
        full = profile_graph(netspec_to_graph(spec), sram=SRAM, flash=FLASH)
        fields = ("arena_bytes", "lower_bound", "peak_op", "flash_bytes", "macs", "fits")
        assert [getattr(fast, f) for f in fields] == [getattr(full, f) for f in fields], spec.resolution
        assert fast.to_dict() == full.to_dict()
        hard += full.arena_bytes > full.lower_bound
        if full.arena_bytes > full.lower_bound or fast.arena_bytes % 7 == 0:
            # the plan itself (planned on first access) is the full planner's too
            assert fast.plan.offsets == full.plan.offsets
            assert fast.plan.scratch_offsets == full.plan.scratch_offsets
            assert fast.plan.heuristic == full.plan.heuristic
    if width in (0.4, 0.5):
        assert hard > 0  # spaces where no placement reaches the bound: the full search is replayed


def test_every_placement_heuristic_is_tried():
    """The fast arena is a minimum over the same placements ``best_placement`` tries."""
    every = [(name, best_fit) for name in ORDERINGS for best_fit in (False, True)]
    assert sorted(_heuristics(True)) == sorted([(True, *h) for h in every] + [(False, *h) for h in every])
    assert sorted(_heuristics(False)) == sorted((False, *h) for h in every)


def test_the_whole_chain_path_equals_the_joined_runs():
    """``chain_arena`` over a whole netspec (the path of a netspec whose runs are not
    separable) gives what the cached runs give."""
    for spec in _candidates(0.5)[::3]:
        whole = _Layers(spec).arena()
        fast = profile_netspec(spec)
        assert (whole.arena_bytes, whole.lower_bound, whole.peak_op) == (
            fast.arena_bytes,
            fast.lower_bound,
            fast.peak_op,
        )
        assert whole.live_bytes == fast.plan.live_bytes
        assert set(whole.inplace) == set(fast.plan.inplace)  # the same in-place operators


def test_the_orderings_sort_like_the_planners():
    rng = random.Random(0)
    for _ in range(200):
        size, start = rng.randrange(4, 9000, 4), rng.randrange(60)
        end = start + rng.randrange(5)
        item = Item([Member(0, size, start, end)])
        assert {name: key(size, start, end) for name, key in _KEYS.items()} == {
            name: key(item) for name, key in ORDERINGS.items()
        }
