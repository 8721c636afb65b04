"""``tinynas export``: int8 TFLite through TensorFlow's converter, float vs int8 accuracy."""

from __future__ import annotations

from pathlib import Path

import typer

from tinynas.commands.common import JSON_OPTION, console, handle_errors, print_json
from tinynas.commands.train import (
    DATA_OPTION,
    NETSPEC_ARG,
    THREADS,
    VAL_SIZE,
    VAL_SUBSET,
    open_data,
    open_netspec,
)
from tinynas.errors import WorkError
from tinynas.train import load_trained


@handle_errors
def export(
    netspec: str = NETSPEC_ARG,
    ckpt: Path = typer.Option(..., "--ckpt", help="Checkpoint written by tinynas train."),
    data: str = DATA_OPTION,
    output: Path = typer.Option(..., "-o", "--output", help="int8 .tflite to write."),
    calibration: int = typer.Option(
        300, "--calibration", min=1, help="Training images in the representative dataset."
    ),
    val_subset: int | None = VAL_SUBSET,
    val_size: int | None = VAL_SIZE,
    max_drop: float | None = typer.Option(
        None, "--max-drop", min=0.0, help="Fail (exit 1) if int8 top-1 is this many points below float."
    ),
    threads: int = THREADS,
    json_out: bool = JSON_OPTION,
) -> None:
    """Export NET with the weights of CKPT to a full-integer int8 .tflite (per-channel weights)."""
    from tinynas.export import export_tflite

    spec = open_netspec(netspec, threads, output)
    model = load_trained(spec, ckpt)
    splits = open_data(
        data, spec.resolution, spec.in_channels, calibration, val_subset, val_size, augment=False
    )
    if not json_out:
        console.print(
            f"converting {spec.name} (calibration: {min(calibration, len(splits.train))} images)..."
        )
    result = export_tflite(model, splits.train, splits.val, output, calibration)
    drop = result.float_metrics.top1 - result.int8_metrics.top1
    if json_out:
        print_json({"netspec": spec.name, "checkpoint": str(ckpt), **result.to_dict(), "top1_drop": drop})
    else:
        console.print(f"{output}: {result.size_bytes} bytes, {len(result.ops)} ops", highlight=False)
        console.print(f"float {result.float_metrics.summary()}", highlight=False)
        console.print(
            f"int8  {result.int8_metrics.summary()}  (drop {drop:+.2f} points, "
            f"{result.agreement:.1f}% same top-1)",
            highlight=False,
        )
    if max_drop is not None and drop > max_drop:
        raise WorkError(f"{output}: int8 top-1 is {drop:.2f} points below float (allowed {max_drop})")
