"""What a search writes: the best netspec, its weights (a tinynas checkpoint), the history, a plot."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from tinyengine_codegen.frontend.netspec import dump_netspec
from tinynas.checkpoint import save_checkpoint
from tinynas.files import save_figure, write_json
from tinynas.search.evaluator import AccuracyEvaluator
from tinynas.search.run import SearchResult
from tinynas.supernet.extract import extract_subnet

HISTORY_FORMAT = "tinynas-search/1"


def output_paths(out: Path) -> dict[str, Path]:
    """``best.json`` -> best.json, best.pt, best.history.json, best.search.png."""
    stem = out.with_suffix("")
    return {"netspec": out, "weights": stem.with_suffix(".pt"),
            "history": stem.with_name(stem.name + ".history.json"),
            "plot": stem.with_name(stem.name + ".search.png")}


def timing(result: SearchResult) -> dict[str, float]:
    """Where the search's wall time went."""
    other = max(0.0, result.total_seconds - result.eval_seconds - result.pricing_seconds)
    return {"total_seconds": result.total_seconds, "accuracy_eval_seconds": result.eval_seconds,
            "memory_pricing_seconds": result.pricing_seconds, "other_seconds": other,
            "accuracy_eval_fraction": result.eval_seconds / max(result.total_seconds, 1e-9),
            "memory_pricing_fraction": result.pricing_seconds / max(result.total_seconds, 1e-9)}


def history_doc(result: SearchResult, supernet: str) -> dict[str, Any]:
    """The ``tinynas-search/1`` history: constraints, options, timing, generations, every candidate."""
    c = result.constraints
    best = result.best
    return {
        "format": HISTORY_FORMAT,
        "supernet": supernet,
        "pricing": "te-gen profile_netspec (arena bytes vs SRAM, weights + code estimate vs Flash)",
        "constraints": {"sram_bytes": c.sram, "flash_bytes": c.flash, "latency_ms": c.latency_ms,
                        "latency_table": None if c.table is None else
                        {"board": c.table.board, "kind": c.table.kind, "source": c.table.source},
                        "patches": c.patches.to_dict()},
        "options": asdict(result.options),
        "timing": timing(result),
        "best": {"name": best.spec.name, **best.to_dict()},
        "generations": result.generations,
        "candidates": [cand.to_dict() for cand in result.candidates],
        **result.extra,
    }


def write_search_outputs(result: SearchResult, evaluator: AccuracyEvaluator, out: Path, supernet: str,
                         plot: bool = False) -> dict[str, Path]:
    """Write the best netspec (+ its figures as metadata), weights, history and optionally the plot."""
    paths = output_paths(out)
    best = result.best
    evaluator.prepare(best.arch)  # recalibrated batch norm goes into the weights
    spec, weights = extract_subnet(evaluator.net, best.arch, name=out.stem)
    figures = {**best.pricing.to_dict(), "accuracy_inherited": best.accuracy}
    spec = replace(spec, metadata={**spec.metadata, "search": figures})
    save_checkpoint(paths["weights"], {"netspec": spec, "model": weights, "epoch": 0,
                                       "source": f"inherited from supernet {supernet}", "search": figures})
    write_json(paths["history"], history_doc(result, supernet))
    if plot:
        plot_search(result, paths["plot"])
    dump_netspec(spec, paths["netspec"])
    return paths


def plot_search(result: SearchResult, path: Path) -> None:
    """Accuracy against peak SRAM for every evaluated candidate, with the SRAM budget line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    evaluated = [c for c in result.candidates if c.accuracy is not None]
    over = [c for c in result.candidates if c.accuracy is None]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.scatter([c.pricing.sram_bytes / 1024 for c in evaluated], [100 * c.accuracy for c in evaluated],
               c=[c.generation for c in evaluated], cmap="viridis", s=18, label="evaluated (fits)")
    if over:
        low = min(100 * c.accuracy for c in evaluated)
        ax.scatter([c.pricing.sram_bytes / 1024 for c in over], [low] * len(over), marker="x", color="grey",
                   s=14, label="rejected (over a budget, not evaluated)")
    ax.axvline(result.constraints.sram / 1024, color="red", linestyle="--", label="SRAM budget")
    ax.scatter([result.best.pricing.sram_bytes / 1024], [100 * result.best.accuracy], marker="*", s=160,
               color="orange", edgecolor="black", label="best", zorder=3)
    ax.set_xlabel("peak SRAM (kB, te-gen memory plan)")
    ax.set_ylabel("top-1 with inherited weights (%)")
    ax.set_title(f"evolutionary search: {len(evaluated)} evaluated, {len(over)} rejected")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)
