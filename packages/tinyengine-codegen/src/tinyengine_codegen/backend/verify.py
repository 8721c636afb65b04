"""te-gen verify: the generated code against the TFLite reference interpreter, byte for byte.

Builds the project for the host, runs N cases (the golden input plus seeded random ones) and
compares every output byte with the interpreter's. On a difference it rebuilds with
``-DTE_DEBUG_DUMP``, reruns the first failing case, and compares each operator's output with
the interpreter's intermediate tensor of the same name (``experimental_preserve_all_tensors``)
in execution order: the first operator whose output differs is the one named.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from tinyengine_codegen import oracle
from tinyengine_codegen.backend.build import CompiledModel, build_project, compile_model, random_inputs
from tinyengine_codegen.backend.host import build_runner, read_dump, run_cases
from tinyengine_codegen.passes.patch_choice import DEFAULT_MAX_EXTRA_MACS


@dataclass
class Mismatch:
    """One output of one case that differs from the interpreter."""

    case: int
    output: int
    differing_bytes: int
    total_bytes: int


@dataclass
class FirstDifference:
    """The first operator (in execution order) whose output differs from the interpreter."""

    op_index: int
    kind: str
    kernel: str | None
    name: str
    tensor: str
    differing_bytes: int
    total_bytes: int
    first_byte: int  # offset of the first differing byte in the tensor


@dataclass
class VerifyReport:
    """What ``te-gen verify`` found."""

    model: str
    cases: int
    seed: int
    arena_bytes: int
    weight_bytes: int
    outputs_bytes: int
    mismatches: list[Mismatch] = field(default_factory=list)
    first_difference: FirstDifference | None = None
    tensors_compared: int = 0  # operator outputs compared with the interpreter's intermediates

    @property
    def passed(self) -> bool:
        return not self.mismatches and self.first_difference is None

    def to_json(self) -> dict:
        data = asdict(self)
        data["passed"] = self.passed
        return data


Hook = Callable[[Path], None]


def verify_model(
    model_path: Path,
    cases: int = 3,
    seed: int = 0,
    work_dir: Path | None = None,
    patch_project: Hook | None = None,
    progress: Callable[[str], None] | None = None,
    intermediates: bool = False,
    patch: str = "off",
    max_extra_macs: float = DEFAULT_MAX_EXTRA_MACS,
) -> VerifyReport:
    """Verify ``model_path``; ``patch_project`` may alter the generated project before it is
    compiled (tests use it to plant a fault). With ``intermediates`` every operator's output is
    also compared on the golden case, and any difference fails the verification. ``patch`` and
    ``max_extra_macs``: patch-based inference as ``te-gen build`` takes them."""
    say = progress or (lambda _: None)
    say("compiling the model")
    # a bad model fails here, before TensorFlow is imported
    compiled = compile_model(model_path, patch=patch, max_extra_macs=max_extra_macs)
    if not oracle.available():
        raise oracle.OracleUnavailable(f"te-gen verify needs a TFLite interpreter: {oracle.INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="te-verify-", dir=work_dir) as tmp:
        root = Path(tmp)
        project = root / "project"
        manifest = build_project(model_path, project, target="host", seed=seed, compiled=compiled)
        if patch_project is not None:
            patch_project(project)
        say("building for the host")
        runner = build_runner(project)
        case_dirs = _write_cases(root, project, compiled, cases, seed)
        say(f"running {len(case_dirs)} case(s)")
        run_cases(runner, case_dirs)
        reference = oracle.Oracle(model_path)
        report = VerifyReport(
            model=str(model_path), cases=len(case_dirs), seed=seed, arena_bytes=manifest["arena_bytes"],
            weight_bytes=manifest["weight_bytes"], outputs_bytes=sum(o["bytes"] for o in manifest["outputs"]),
        )  # fmt: skip
        for k, case in enumerate(case_dirs):
            expected = reference.run(_read_inputs(case, manifest)).outputs
            for i, value in enumerate(expected):
                got = (case / f"output_{i}.bin").read_bytes()
                want = np.ascontiguousarray(value).tobytes()
                diff = _differing(got, want)
                if diff:
                    report.mismatches.append(Mismatch(k, i, diff, len(want)))
        if report.mismatches or intermediates:
            say("comparing every operator's output")
            failing = case_dirs[report.mismatches[0].case if report.mismatches else 0]
            report.first_difference, report.tensors_compared = locate_difference(
                model_path, compiled, project, failing, manifest
            )
        return report


def _write_cases(root: Path, project: Path, compiled: CompiledModel, count: int, seed: int) -> list[Path]:
    """Case 0: the golden input; then seeded random inputs."""
    dirs = []
    for k in range(max(count, 1)):
        case = root / f"case_{k}"
        case.mkdir()
        if k == 0:
            for golden in sorted((project / "golden").glob("input_*.bin")):
                (case / golden.name).write_bytes(golden.read_bytes())
        else:
            for i, value in enumerate(random_inputs(compiled.graph, seed + k)):
                (case / f"input_{i}.bin").write_bytes(np.ascontiguousarray(value).tobytes())
        dirs.append(case)
    return dirs


def _read_inputs(case: Path, manifest: dict) -> list[np.ndarray]:
    values = []
    for i, entry in enumerate(manifest["inputs"]):
        raw = (case / f"input_{i}.bin").read_bytes()
        values.append(np.frombuffer(raw, dtype=entry["dtype"]).reshape(entry["shape"]))
    return values


def _differing(a: bytes, b: bytes) -> int:
    if len(a) != len(b):
        return max(len(a), len(b))
    return int(np.count_nonzero(np.frombuffer(a, np.uint8) != np.frombuffer(b, np.uint8)))


def _first_differing_byte(a: bytes, b: bytes) -> int:
    return next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def locate_difference(
    model_path: Path, compiled: CompiledModel, project: Path, case: Path, manifest: dict
) -> tuple[FirstDifference | None, int]:
    """Rerun ``case`` with a debug build; the first operator whose output differs (in execution
    order) and how many operator outputs were compared."""
    runner = build_runner(project, debug=True)
    run_cases(runner, [case])
    tensors = oracle.Oracle(model_path, preserve_all_tensors=True).run(_read_inputs(case, manifest)).tensors
    graph = compiled.graph
    compared = 0
    for op_index, name, got in read_dump(case):
        if name not in tensors:
            continue
        compared += 1
        want = np.ascontiguousarray(tensors[name]).tobytes()
        diff = _differing(got, want)
        if diff:
            op = graph.operators[op_index]
            first = _first_differing_byte(got, want)
            return FirstDifference(
                op_index, op.kind, op.kernel, op.name, name, diff, len(want), first
            ), compared
    return None, compared
