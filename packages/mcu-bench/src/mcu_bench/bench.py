"""One bench run: read the project, build for the board, run, check outputs, make the result."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from mcu_bench.boards import Board
from mcu_bench.project import load_project
from mcu_bench.result import make_result
from mcu_bench.runners.base import BuildOptions, Runner


def run_bench(
    project_dir: Path,
    board: Board,
    runner: Runner,
    options: BuildOptions,
    *,
    build_dir: Path | None = None,
    timeout_s: float = 300.0,
    progress: Callable[[str], None] = lambda step: None,
) -> dict:
    """Build and run `project_dir` on `board` with `runner`; the mcu-bench-result/1 document."""
    project = load_project(project_dir)
    with tempfile.TemporaryDirectory(prefix="mcu-bench-") as scratch:
        out_dir = build_dir or Path(scratch)
        progress(f"building {project.model_name} for {board.name} ({runner.name} runner)")
        firmware = runner.build(project, board, out_dir, options)
        progress(f"running {options.warmup} + {options.repeat} inferences ({runner.name} runner)")
        run = runner.run(firmware, board, timeout_s=timeout_s)
        result = make_result(project, board, firmware, run)
    if build_dir is None:
        result["build"]["firmware"] = None  # it was in a scratch folder, now gone
    return result
