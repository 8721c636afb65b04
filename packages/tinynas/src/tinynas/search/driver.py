"""Everything ``tinynas search`` does, callable from the pipeline: load, search, write, summarise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinynas.commands.common import make_progress
from tinynas.data import load_data
from tinynas.errors import InputError
from tinynas.latency.table import load_table
from tinynas.search.constraints import Constraints
from tinynas.search.evaluator import AccuracyEvaluator
from tinynas.search.evolution import SearchOptions
from tinynas.search.outputs import timing, write_search_outputs
from tinynas.search.run import run_search
from tinynas.space.pricing import NO_PATCHES, PatchPolicy
from tinynas.supernet.checkpoint import load_supernet


@dataclass
class SearchRequest:
    """The inputs of one search (the command's options)."""

    supernet: Path
    data: str
    out: Path
    sram: int
    flash: int
    latency_ms: float | None = None
    board: str | None = None
    latency_table: Path | None = None
    population: int = 50
    generations: int = 20
    parents: float = 0.25
    mutate_prob: float = 0.1
    mutation_ratio: float = 0.5
    bn_batches: int = 5
    bn_batch_size: int = 200
    val_images: int = 2000
    seed: int = 0
    plot: bool = False
    patches: PatchPolicy = NO_PATCHES


def _constraints(req: SearchRequest) -> Constraints:
    table = None
    if req.latency_table is not None:
        table = load_table(req.latency_table)
        if req.board is not None and table.board != req.board:
            raise InputError(f"{req.latency_table}: table is for board {table.board!r}, not {req.board!r}")
    return Constraints(req.sram, req.flash, req.latency_ms, table, req.patches)


def search_supernet(req: SearchRequest, progress: bool = True) -> dict[str, Any]:
    """Run the search ``req`` describes and write its outputs; returns the summary."""
    constraints = _constraints(req)
    net, _ = load_supernet(req.supernet)
    cfg = net.cfg
    splits = load_data(req.data, (cfg.resolution, cfg.resolution), cfg.in_channels, augment=False,
                       val_subset=req.val_images, train_subset=req.bn_batches * req.bn_batch_size)
    if splits.num_classes != cfg.num_classes:
        raise InputError(f"{req.data}: {splits.num_classes} classes, the supernet was trained for "
                         f"{cfg.num_classes}")
    evaluator = AccuracyEvaluator(net, splits.train, splits.val, req.bn_batches, req.bn_batch_size)
    opts = SearchOptions(population=req.population, generations=req.generations, parents=req.parents,
                         mutate_prob=req.mutate_prob, mutation_ratio=req.mutation_ratio, seed=req.seed)
    with make_progress(progress) as bar:
        task = bar.add_task("search", total=opts.generations + 1, info="")

        def on_generation(rec: dict[str, Any]) -> None:
            bar.update(task, completed=rec["generation"] + 1,
                       info=f"best {100 * rec['best_accuracy']:.1f}%  "
                            f"{rec['best_sram_bytes'] / 1024:.1f} kB  {rec['priced']} priced")

        result = run_search(net, evaluator, constraints, opts, on_generation)
    paths = write_search_outputs(result, evaluator, req.out, str(req.supernet), req.plot)
    evaluated = sum(1 for c in result.candidates if c.accuracy is not None)
    return {"best": {"name": req.out.stem, **result.best.to_dict()}, "timing": timing(result),
            "priced": len(result.candidates), "evaluated": evaluated,
            "latency_kind": None if constraints.table is None else constraints.table.kind,
            "patches": req.patches.to_dict(),
            "outputs": {k: str(v) for k, v in paths.items() if k != "plot" or req.plot}}
