"""Build a generated project for the host and run it on input files (te-gen verify's runner).

The project's own Makefile builds the static library (``TARGET=host``, warnings as errors);
the runner (``templates/te_host_runner.c``) reads ``input_<i>.bin`` from each case folder and
writes ``output_<i>.bin``; a debug build (``-DTE_DEBUG_DUMP``) also writes every operator's
output to ``dump/``.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tinyengine_codegen.backend.project import fill, template

HOST_CC = os.environ.get("TE_HOST_CC", "gcc")
STRICT_WARNINGS = "-Wall -Wextra -Werror"


class HostBuildError(RuntimeError):
    """The generated project did not compile or link on the host."""


@dataclass
class HostRunner:
    """A runner program built from one project."""

    path: Path
    debug: bool


def build_runner(project: Path, debug: bool = False, cflags: str = "-O2") -> HostRunner:
    """Compile the project's library with its Makefile, then link the host runner against it."""
    manifest = json.loads((project / "te-project.json").read_text())
    prefix = manifest["api_prefix"]
    build = "build-host-debug" if debug else "build-host"
    flags = f"{cflags} -DTE_DEBUG_DUMP" if debug else cflags
    _run(["make", "-s", "-C", str(project), "TARGET=host", f"CC={HOST_CC}", f"AR={_host_ar()}",
          f"WARNINGS={STRICT_WARNINGS}", f"CFLAGS={flags}", f"BUILD={build}", "-j2"])  # fmt: skip
    runner_c = project / build / "te_host_runner.c"
    runner_c.write_text(
        fill(
            template("te_host_runner.c"),
            PREFIX=prefix,
            INPUT_BYTES=", ".join(str(t["bytes"]) for t in manifest["inputs"]),
            OUTPUT_BYTES=", ".join(str(t["bytes"]) for t in manifest["outputs"]),
        )
    )
    exe = project / build / "te_host_runner"
    _run([HOST_CC, "-std=c99", *STRICT_WARNINGS.split(), *flags.split(), f"-I{project / 'include'}",
          str(runner_c), str(project / build / f"lib{prefix}.a"), "-lm", "-o", str(exe)])  # fmt: skip
    return HostRunner(exe, debug)


def run_cases(runner: HostRunner, cases: list[Path]) -> None:
    """Run the runner on case folders (inputs in, outputs out); raises on failure."""
    for case in cases:
        if runner.debug:
            (case / "dump").mkdir(exist_ok=True)
    result = subprocess.run([str(runner.path), *map(str, cases)], capture_output=True, text=True)
    if result.returncode != 0:
        raise HostBuildError(f"host runner failed (exit {result.returncode}): {result.stderr.strip()}")


def read_dump(case: Path) -> list[tuple[int, str, bytes]]:
    """(operator index, tensor name, bytes) of every dumped operator output, in execution order."""
    entries = []
    index = case / "dump" / "index.txt"
    if not index.exists():
        return entries
    for line in index.read_text().splitlines():
        op, _, name = line.split(" ", 2)
        entries.append((int(op), name, (case / "dump" / f"op_{op}.bin").read_bytes()))
    return entries


def _host_ar() -> str:
    return os.environ.get("TE_HOST_AR", "ar")


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        detail = "\n".join(output[:20])
        raise HostBuildError(f"{' '.join(cmd[:3])}... failed:\n{detail}")
