"""Run the steps in order, keep a record (``OUT/pipeline.json``), skip steps already done.

A step is skipped when the record says it finished and its file is still there; ``start_from``
reruns a step and everything after it, ``only`` runs one step from the files already in OUT/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinynas.commands.common import write_json
from tinynas.errors import InputError
from tinynas.pipeline.steps import RUNNERS, STEPS, RunContext

RECORD_FORMAT = "tinynas-run/1"


def _load_record(ctx: RunContext) -> dict[str, Any]:
    path = ctx.out / "pipeline.json"
    if path.is_file():
        try:
            doc = json.loads(path.read_text())
        except json.JSONDecodeError:
            raise InputError(f"{path}: not valid JSON (delete it to start over)") from None
        if doc.get("format") == RECORD_FORMAT:
            return doc
    return {"format": RECORD_FORMAT, "steps": {}}


def selected_steps(start_from: str | None, only: str | None) -> list[str]:
    """The steps to consider, in order."""
    for name, value in (("--from", start_from), ("--only", only)):
        if value is not None and value not in STEPS:
            raise InputError(f"{name}: unknown step {value!r} (steps: {', '.join(STEPS)})")
    if only:
        return [only]
    return list(STEPS[STEPS.index(start_from):]) if start_from else list(STEPS)


def run_pipeline(ctx: RunContext, start_from: str | None = None, only: str | None = None,
                 on_step: Callable[[str, str, dict[str, Any] | None], None] | None = None) -> dict[str, Any]:
    """Run the selected steps; returns the record (every step's summary and time)."""
    ctx.out.mkdir(parents=True, exist_ok=True)
    record = _load_record(ctx)
    record.update({"data": ctx.data, "board": ctx.board, "preset": ctx.preset.name,
                   "budgets": {"sram_bytes": ctx.sram, "flash_bytes": ctx.flash},
                   "patches": ctx.preset.patches.to_dict()})
    forced = set(selected_steps(start_from, only)) if (start_from or only) else set()
    for step in selected_steps(start_from, only):
        done = record["steps"].get(step, {})
        if step not in forced and done.get("status") == "done" and ctx.path(step).exists():
            if on_step:
                on_step(step, "kept", done.get("summary"))
            continue
        if on_step:
            on_step(step, "running", None)
        began = time.perf_counter()
        summary = RUNNERS[step](ctx)
        record["steps"][step] = {"status": "done", "seconds": time.perf_counter() - began,
                                 "file": str(ctx.path(step)), "summary": summary}
        write_json(ctx.out / "pipeline.json", record)
        if on_step:
            on_step(step, "done", summary)
    record["report"] = final_report(record)
    write_json(ctx.out / "pipeline.json", record)
    write_json(ctx.out / "report.json", record["report"])
    return record


def final_report(record: dict[str, Any]) -> dict[str, Any]:
    """Accuracy (float, int8), MACs, peak SRAM, Flash, latency and whether it fits, from the steps."""
    steps = {k: v.get("summary") or {} for k, v in record["steps"].items()}
    search = steps.get("search", {}).get("best", {})
    export, bench = steps.get("export", {}), steps.get("bench", {})
    memory, latency = bench.get("memory", {}), bench.get("latency", {})
    budgets = record["budgets"]
    arena = steps.get("build", {}).get("arena_bytes", search.get("sram_bytes"))
    flash = memory.get("flash", search.get("flash_bytes"))
    return {
        "network": record.get("steps", {}).get("search", {}).get("file"),
        "space": steps.get("space", {}).get("space"),
        "float_top1": export.get("float_top1", steps.get("finetune", {}).get("top1")),
        "int8_top1": export.get("int8_top1"),
        "inherited_top1": 100 * search["accuracy"] if search.get("accuracy") is not None else None,
        "macs": search.get("macs"),
        "peak_sram_bytes": arena,
        "firmware_sram_peak_bytes": memory.get("sram_peak"),
        "flash_bytes": flash,
        "sram_budget_bytes": budgets["sram_bytes"],
        "flash_budget_bytes": budgets["flash_bytes"],
        "fits": None if arena is None or flash is None else
        bool(arena <= budgets["sram_bytes"] and flash <= budgets["flash_bytes"]),
        "latency": latency or None,
        "outputs_check": bench.get("outputs_check"),
        "search_timing": steps.get("search", {}).get("timing"),
        "step_seconds": {k: v.get("seconds") for k, v in record["steps"].items()},
    }


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Write the record (used by tests to simulate an interrupted run)."""
    write_json(path, record)
