"""From a .tflite file to a generated project folder: passes, memory plan, golden vectors, files.

:func:`build_project` never leaves a half-written project: it writes into a temporary
folder next to the destination and renames it at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinyengine_codegen import oracle
from tinyengine_codegen.backend.cwriter import c_identifier
from tinyengine_codegen.backend.emitter import ArenaLayout
from tinyengine_codegen.backend.project import TARGETS, Golden, write_project
from tinyengine_codegen.errors import InputError, UnsupportedModelError
from tinyengine_codegen.frontend.tflite_reader import load_tflite
from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.memory import MemoryPlan, check_plan, plan_memory
from tinyengine_codegen.passes import run_passes
from tinyengine_codegen.passes.patch_choice import (
    DEFAULT_MAX_EXTRA_MACS,
    PatchChoice,
    choose_patches,
    parse_patch_mode,
)

DEFAULT_SEED = 0


@dataclass
class CompiledModel:
    """A model after the passes, with its memory plan (and the patch-based choice, if asked)."""

    graph: Graph
    plan: MemoryPlan
    patch: PatchChoice | None = None

    @property
    def layout(self) -> ArenaLayout:
        """The plan as the emitter reads it."""
        return ArenaLayout(
            self.plan.arena_bytes, self.plan.offsets, self.plan.scratch_offsets, self.plan.schedule
        )


def compile_model(
    model_path: Path, patch: str = "off", max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS
) -> CompiledModel:
    """Load a .tflite, run the passes (kernel selection included) and plan memory.

    ``patch``: ``off`` (layer by layer), ``auto`` (patch-based first stage when it lowers the
    arena within ``max_extra_macs``) or a grid ``RxC`` (``passes/patch_choice.py``).
    """
    mode = parse_patch_mode(patch)
    graph = load_tflite(model_path)
    try:
        run_passes(graph)
    except UnsupportedModelError as exc:
        raise UnsupportedModelError(f"{model_path}: {exc}") from None
    if mode == "off":
        plan = plan_memory(graph)
        check_plan(graph, plan)
        return CompiledModel(graph, plan)
    choice = choose_patches(graph, mode, max_extra_macs)
    if choice.patched is not None and choice.plan is not None:
        graph, plan = choice.patched.graph, choice.plan
    else:
        plan = choice.base_plan
    check_plan(graph, plan)
    return CompiledModel(graph, plan, choice)


def random_inputs(graph: Graph, seed: int) -> list[np.ndarray]:
    """Seeded random values for every graph input, in its dtype and shape.

    int8 inputs cover the whole range; a float input that a QUANTIZE reads covers the range
    its quantization represents (plus a margin, so that saturation is exercised).
    """
    rng = np.random.default_rng(seed)
    values = []
    for t in graph.inputs:
        tensor = graph.tensors[t]
        if tensor.dtype == "int8":
            values.append(rng.integers(-128, 128, size=tensor.shape, dtype=np.int8))
        elif tensor.dtype == "uint8":
            values.append(rng.integers(0, 256, size=tensor.shape, dtype=np.uint8))
        elif tensor.dtype == "float32":
            lo, hi = _float_range(graph, t)
            margin = 0.05 * (hi - lo)
            values.append(rng.uniform(lo - margin, hi + margin, size=tensor.shape).astype(np.float32))
        else:
            raise InputError(f"{graph.source}: input {tensor.name!r} has dtype {tensor.dtype}, not supported")
    return values


def _float_range(graph: Graph, tensor_index: int) -> tuple[float, float]:
    for op in graph.operators:
        if op.kind == "QUANTIZE" and op.inputs[0] == tensor_index:
            q = graph.tensors[op.outputs[0]].quant
            if q is not None:
                scale, zp = q.scale[0], q.zero_point[0]
                return scale * (-128 - zp), scale * (127 - zp)
    return -1.0, 1.0


def golden_vectors(model_path: Path, graph: Graph, seed: int) -> Golden:
    """Golden input (seeded random) and, when TFLite is installed, the interpreter's outputs."""
    inputs = random_inputs(graph, seed)
    if not oracle.available():
        return Golden(inputs, None)
    run = oracle.Oracle(model_path).run(inputs)
    return Golden(inputs, run.outputs)


def default_prefix(model_path: Path) -> str:
    """The API prefix from the model's file name (a C identifier)."""
    return c_identifier(model_path.stem)


def check_target(target: str) -> None:
    """Refuse a target te-gen does not know."""
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}: choose one of {', '.join(TARGETS)}")


def check_destination(out_dir: Path, force: bool) -> None:
    """Refuse a destination that is a file, or a non-empty folder without ``force``."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise InputError(f"{out_dir}: folder is not empty (use --force to replace it)")


def build_project(
    model_path: Path,
    out_dir: Path,
    target: str = "cortex-m7",
    prefix: str | None = None,
    force: bool = False,
    seed: int = DEFAULT_SEED,
    compiled: CompiledModel | None = None,
) -> dict:
    """Generate the project of ``model_path`` in ``out_dir``; returns the manifest."""
    check_target(target)
    prefix = c_identifier(prefix) if prefix else default_prefix(model_path)
    check_destination(out_dir, force)
    compiled = compiled or compile_model(model_path)
    golden = golden_vectors(model_path, compiled.graph, seed)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        manifest = write_project(compiled.graph, compiled.layout, staging, prefix, target, model_path, golden)
        _replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _replace(staging: Path, out_dir: Path) -> None:
    """Move the finished project into place; an existing folder is swapped out, then removed."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rename(out_dir, old / "project")
    try:
        os.rename(staging, out_dir)
    except BaseException:
        if old is not None:
            os.rename(old / "project", out_dir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
