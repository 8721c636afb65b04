"""``te-gen build``: a .tflite model -> a generated C project (te-project/1)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tinyengine_codegen.backend.build import (
    DEFAULT_SEED,
    CompiledModel,
    build_project,
    check_destination,
    check_target,
    compile_model,
)
from tinyengine_codegen.backend.emitter import EmitError
from tinyengine_codegen.commands.common import (
    JSON_OPTION,
    MAX_EXTRA_MACS_OPTION,
    PATCH_OPTION,
    console,
    err_console,
    fail,
    one_line_errors,
    patch_options,
    print_json,
)
from tinyengine_codegen.memory import PlanError


@one_line_errors
def build(
    model: Path = typer.Argument(..., help="int8 .tflite model to compile."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write the project into (created)."),
    target: str = typer.Option("cortex-m7", "--target", help="cortex-m7, cortex-m4 or host."),
    name: str | None = typer.Option(
        None, "--name", help="API prefix of the C functions (default: from the file name)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty output folder."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the golden input."),
    patch: str = PATCH_OPTION,
    max_extra_macs: str = MAX_EXTRA_MACS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Generate the C project of MODEL: model API, weights in Flash, the kernels it uses, golden vectors."""
    extra = patch_options(patch, max_extra_macs)
    check_target(target)
    check_destination(output, force)
    try:
        with err_console.status(f"generating {output}"):
            compiled = compile_model(model, patch=patch, max_extra_macs=extra)
            manifest = build_project(
                model, output, target=target, prefix=name, force=force, seed=seed, compiled=compiled
            )
    except (EmitError, PlanError, FileNotFoundError) as exc:
        fail(f"{model}: cannot generate code: {exc}")
    if as_json:
        print_json(manifest)
        return
    _summary(manifest, output, compiled)


def _summary(manifest: dict, output: Path, compiled: CompiledModel) -> None:
    table = Table(title=f"{manifest['model']['name']} -> {output}", show_header=False)
    table.add_row("target", manifest["target"])
    if compiled.patch is not None:
        summary = compiled.patch.summary()
        mode = f"off: {summary['why_off']}"
        if summary["enabled"]:
            r, c = summary["grid"]
            split = escape(summary["split_after"])
            mode = f"{r}x{c} patches up to {split}, +{summary['extra_macs_percent']}% MACs"
        table.add_row("patch-based", f"{summary['mode']}: {mode}")
    table.add_row("API", f"{manifest['api_prefix']}_invoke / _input / _output")
    table.add_row("operators", str(len(manifest["ops"])))
    table.add_row("arena", f"{manifest['arena_bytes']} B ({manifest['arena_bytes'] / 1024:.1f} kB)")
    table.add_row("weights", f"{manifest['weight_bytes']} B ({manifest['weight_bytes'] / 1024:.1f} kB)")
    table.add_row("kernels", ", ".join(sorted({op["kernel"] for op in manifest["ops"] if op["kernel"]})))
    golden = manifest["outputs"][0]["golden"]
    table.add_row("golden output", golden or "none (no TFLite interpreter installed)")
    console.print(table)
