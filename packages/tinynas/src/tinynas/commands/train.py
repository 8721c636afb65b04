"""``tinynas train`` and ``tinynas eval``: plain training and evaluation of a netspec's model."""

from __future__ import annotations

from pathlib import Path

import torch
import typer

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.commands.common import (
    JSON_OPTION,
    check_output_path,
    console,
    err_console,
    handle_errors,
    make_progress,
    print_json,
)
from tinynas.data import Splits, load_data, make_loader
from tinynas.errors import InputError
from tinynas.evaluate import evaluate
from tinynas.model import netspec_cost
from tinynas.train import TrainConfig, fit, load_trained
from tinynas.zoo import resolve_netspec

NETSPEC_ARG = typer.Argument(..., help="netspec JSON file, or a zoo name (tinynas zoo list).")
DATA_OPTION = typer.Option(
    "builtin:fashion-mnist",
    "--data",
    help="builtin:fashion-mnist, a folder of IDX files, or an image folder (one per class).",
)
TRAIN_SUBSET = typer.Option(None, "--train-subset", min=1, help="Use only N training images (quick runs).")
VAL_SUBSET = typer.Option(None, "--val-subset", min=1, help="Use only N validation images.")
VAL_SIZE = typer.Option(
    None,
    "--val-size",
    min=1,
    help="Images held out of the training data for validation (5000; 10% of an image folder).",
)
THREADS = typer.Option(
    1, "--threads", min=1, help="CPU threads for torch (MCU-sized layers gain little from more)."
)


def set_threads(threads: int) -> None:
    """Use ``threads`` intra-op threads (tiny layers: extra threads mostly spin)."""
    torch.set_num_threads(threads)


def open_netspec(netspec: str, threads: int, output: Path | None = None) -> NetSpec:
    """The opening of train, eval and export: torch threads, the netspec, a check of the output's folder."""
    set_threads(threads)
    spec = resolve_netspec(netspec)
    if output is not None:
        check_output_path(output)
    return spec


def open_data(
    data: str,
    spec_resolution: tuple[int, int],
    channels: int,
    train_subset: int | None,
    val_subset: int | None,
    val_size: int | None,
    seed: int = 0,
    augment: bool = True,
) -> Splits:
    """The datasets of ``--data`` at the netspec's resolution (shared by train, eval and export)."""
    return load_data(
        data,
        spec_resolution,
        channels,
        val_size=val_size,
        train_subset=train_subset,
        val_subset=val_subset,
        seed=seed,
        augment=augment,
    )


def check_classes(spec_classes: int, splits: Splits, data: str) -> None:
    if splits.num_classes > spec_classes:
        raise InputError(
            f"{data}: {splits.num_classes} classes but the netspec's classifier has {spec_classes}"
        )


@handle_errors
def train(
    netspec: str = NETSPEC_ARG,
    data: str = DATA_OPTION,
    output: Path = typer.Option(
        ..., "-o", "--output", help="Checkpoint to write (.pt), updated every epoch."
    ),
    epochs: int = typer.Option(10, min=1, help="Training epochs."),
    batch_size: int = typer.Option(128, "--batch-size", min=1, help="Images per step."),
    lr: float = typer.Option(0.1, min=0.0, help="Peak learning rate (SGD, cosine decay)."),
    weight_decay: float = typer.Option(
        5e-5, "--weight-decay", min=0.0, help="L2 on weights (not BN, biases)."
    ),
    label_smoothing: float = typer.Option(
        0.1, "--label-smoothing", min=0.0, max=0.99, help="Label smoothing of the cross-entropy loss."
    ),
    warmup: float = typer.Option(0.0, "--warmup", min=0.0, help="Warm-up epochs (linear)."),
    seed: int = typer.Option(0, help="Seed of initialisation, shuffling and augmentation."),
    train_subset: int | None = TRAIN_SUBSET,
    val_subset: int | None = VAL_SUBSET,
    val_size: int | None = VAL_SIZE,
    resume: bool = typer.Option(False, "--resume", help="Continue from the checkpoint at --output if any."),
    threads: int = THREADS,
    json_out: bool = JSON_OPTION,
) -> None:
    """Train NET (a netspec) on DATA; checkpoint every epoch; print top-1 (and top-5) on validation."""
    spec = open_netspec(netspec, threads, output)
    if output.exists() and not resume:
        raise InputError(f"{output}: exists (add --resume to continue it, or choose another -o)")
    splits = open_data(data, spec.resolution, spec.in_channels, train_subset, val_subset, val_size, seed)
    check_classes(spec.num_classes, splits, data)
    cfg = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        weight_decay=weight_decay,
        label_smoothing=label_smoothing,
        warmup_epochs=warmup,
        seed=seed,
    )
    if len(splits.train) < batch_size:
        raise InputError(f"{data}: {len(splits.train)} training images, fewer than one batch of {batch_size}")
    with make_progress(not json_out) as progress:
        task = progress.add_task("epoch 1", total=None, info="")

        def on_batch(i: int, n: int, loss: float) -> None:
            progress.update(task, completed=i + 1, total=n, info=f"loss {loss:.3f}")

        def on_epoch(rec: dict) -> None:
            if not json_out:
                top5 = f" top-5 {rec['top5']:.2f}%" if rec["top5"] is not None else ""
                err_console.print(
                    f"epoch {rec['epoch']}/{epochs}: train loss {rec['train_loss']:.3f}, "
                    f"val top-1 {rec['top1']:.2f}%{top5} ({rec['seconds']:.0f} s)",
                    highlight=False,
                )
            progress.update(task, description=f"epoch {rec['epoch'] + 1}", completed=0)

        _, result = fit(spec, splits, cfg, output, resume=resume, on_batch=on_batch, on_epoch=on_epoch)
    cost = netspec_cost(spec)
    if json_out:
        print_json(
            {
                "netspec": spec.name,
                "checkpoint": str(output),
                "data": splits.name,
                "epochs": epochs,
                "train_images": len(splits.train),
                "seconds": result.seconds,
                "macs": cost.macs,
                "params": cost.params,
                "val": result.metrics.to_dict(),
                "history": result.history,
            }
        )
        return
    console.print(
        f"{spec.name}: {epochs} epochs on {splits.name} ({len(splits.train)} images, "
        f"{result.seconds:.0f} s): val {result.metrics.summary()} -> {output}",
        highlight=False,
    )


@handle_errors
def eval_(
    netspec: str = NETSPEC_ARG,
    ckpt: Path = typer.Option(..., "--ckpt", help="Checkpoint written by tinynas train."),
    data: str = DATA_OPTION,
    split: str = typer.Option("val", help="val (held out of training data) or test (IDX t10k files)."),
    val_subset: int | None = VAL_SUBSET,
    val_size: int | None = VAL_SIZE,
    batch_size: int = typer.Option(256, "--batch-size", min=1),
    threads: int = THREADS,
    json_out: bool = JSON_OPTION,
) -> None:
    """Evaluate a trained checkpoint: top-1 (and top-5 when there are more than 5 classes)."""
    spec = open_netspec(netspec, threads)
    if split not in ("val", "test"):
        raise InputError(f"--split: must be val or test, got {split!r}")
    model = load_trained(spec, ckpt)
    splits = open_data(data, spec.resolution, spec.in_channels, 1, val_subset, val_size, augment=False)
    dataset = splits.val if split == "val" else splits.test
    if dataset is None:
        raise InputError(f"{data}: has no test split (only IDX folders with t10k-* files do)")
    metrics = evaluate(model, make_loader(dataset, batch_size, shuffle=False))
    if json_out:
        print_json(
            {
                "netspec": spec.name,
                "checkpoint": str(ckpt),
                "data": splits.name,
                "split": split,
                **metrics.to_dict(),
            }
        )
        return
    console.print(f"{spec.name} on {splits.name} {split}: {metrics.summary()}", highlight=False)
