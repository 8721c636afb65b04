"""Write a generated project (te-project/1, docs/formats.md) into a folder.

The folder is written in full by :func:`write_project`; callers that must never leave a
half-written project behind write into a temporary folder and rename it (see
``commands/build.py``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from tinyengine_codegen import __version__
from tinyengine_codegen.backend.emitter import ArenaLayout
from tinyengine_codegen.backend.model_source import generate_sources
from tinyengine_codegen.backend.ops_patch import GENERATED_KERNELS
from tinyengine_codegen.backend.runtime_files import kernel_sources, needed_headers
from tinyengine_codegen.ir.graph import Graph

FORMAT = "te-project/1"
TARGETS = ("cortex-m7", "cortex-m4", "host")


@dataclass
class Golden:
    """Golden vectors: raw bytes of each graph input and each graph output."""

    inputs: list[np.ndarray]
    outputs: list[np.ndarray] | None


def template(name: str) -> str:
    """Text of a file in the package's ``templates/`` folder."""
    return resources.files("tinyengine_codegen").joinpath("templates", name).read_text()


def fill(text: str, **values: str) -> str:
    """Replace ``@KEY@`` placeholders."""
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def write_project(
    graph: Graph,
    placement: ArenaLayout,
    out_dir: Path,
    prefix: str,
    target: str,
    model_path: Path,
    golden: Golden | None,
) -> dict:
    """Write every file of the project into ``out_dir`` (created); returns the manifest."""
    sources = generate_sources(graph, placement, prefix)
    kernels = {graph.operators[i].kernel for i in placement.schedule if graph.operators[i].kernel}
    kernels -= GENERATED_KERNELS  # static helpers of the model source
    runtime_sources = kernel_sources(kernels)  # type: ignore[arg-type]
    runtime_headers = needed_headers(runtime_sources, sources.headers)
    out_dir.mkdir(parents=True, exist_ok=True)
    for relative, text in sources.files.items():
        _write(out_dir / relative, text)
    for path in runtime_headers:
        _copy(path, out_dir / "runtime" / "include" / "tinyengine" / path.name)
    for path in runtime_sources:
        _copy(path, out_dir / "runtime" / "src" / path.name)
    c_files = [f"src/{prefix}.c", f"src/{prefix}_weights.c"] + [
        f"runtime/src/{p.name}" for p in runtime_sources
    ]
    _write(out_dir / "Makefile", fill(template("Makefile.in"), VERSION=__version__, PREFIX=prefix,
                                      TARGET=target, SOURCES=" \\\n    ".join(c_files)))  # fmt: skip
    cmake_sources = "\n".join(f"  {f}" for f in c_files)
    _write(out_dir / "CMakeLists.txt", fill(template("CMakeLists.txt.in"), VERSION=__version__, PREFIX=prefix,
                                            CMAKE_SOURCES=cmake_sources))  # fmt: skip
    sizes = {"ARENA": str(placement.arena_bytes), "WEIGHTS": str(sources.weight_bytes)}
    readme = fill(template("README.md.in"), VERSION=__version__, PREFIX=prefix, TARGET=target,
                  MODEL=model_path.name, **sizes)  # fmt: skip
    _write(out_dir / "README.md", readme)
    golden_files = _write_golden(out_dir, golden)
    manifest = _manifest(
        graph, placement, prefix, target, model_path, sources.weight_bytes, c_files, golden_files
    )
    _write(out_dir / "te-project.json", json.dumps(manifest, indent=2) + "\n")
    return manifest


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def _write_golden(out_dir: Path, golden: Golden | None) -> tuple[list[str | None], list[str | None]]:
    if golden is None:
        return [], []
    (out_dir / "golden").mkdir(exist_ok=True)
    inputs: list[str | None] = []
    for i, value in enumerate(golden.inputs):
        (out_dir / "golden" / f"input_{i}.bin").write_bytes(np.ascontiguousarray(value).tobytes())
        inputs.append(f"golden/input_{i}.bin")
    outputs: list[str | None] = []
    for i, value in enumerate(golden.outputs or []):
        (out_dir / "golden" / f"output_{i}.bin").write_bytes(np.ascontiguousarray(value).tobytes())
        outputs.append(f"golden/output_{i}.bin")
    return inputs, outputs


def _io_entry(graph: Graph, tensor_index: int, golden: str | None) -> dict:
    tensor = graph.tensors[tensor_index]
    q = tensor.quant
    return {
        "name": tensor.name,
        "shape": list(tensor.shape),
        "dtype": tensor.dtype,
        "bytes": tensor.nbytes,
        "scale": q.scale[0] if q else None,
        "zero_point": q.zero_point[0] if q else None,
        "golden": golden,
    }


def _manifest(graph: Graph, placement: ArenaLayout, prefix: str, target: str, model_path: Path,
              weight_bytes: int, c_files: list[str], golden: tuple[list, list]) -> dict:  # fmt: skip
    golden_in, golden_out = golden
    return {
        "format": FORMAT,
        "generator": {"name": "te-gen", "version": __version__},
        "model": {
            "name": graph.name,
            "file": model_path.name,
            "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        },
        "target": target,
        "api_prefix": prefix,
        "arena_bytes": placement.arena_bytes,
        "weight_bytes": weight_bytes,
        "ops": [
            {
                "index": i,
                "kind": graph.operators[i].kind,
                "kernel": graph.operators[i].kernel,
                "name": graph.operators[i].name,
            }  # fmt: skip
            for i in placement.schedule
        ],
        "inputs": [
            _io_entry(graph, t, golden_in[k] if k < len(golden_in) else None)
            for k, t in enumerate(graph.inputs)
        ],
        "outputs": [
            _io_entry(graph, t, golden_out[k] if k < len(golden_out) else None)
            for k, t in enumerate(graph.outputs)
        ],
        "sources": c_files,
        "include_dirs": ["include", "runtime/include"],
    }
