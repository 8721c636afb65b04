"""``tinynas supernet train``: sandwich-rule supernet training (torchrun for several processes)."""

from __future__ import annotations

from pathlib import Path

import typer

from tinynas.commands.common import JSON_OPTION, check_output_path, err_console, handle_errors, print_json
from tinynas.data import load_data
from tinynas.data.idx import find_idx
from tinynas.supernet.distributed import init_from_env, shutdown
from tinynas.supernet.run import train_supernet
from tinynas.supernet.space import config_from_space
from tinynas.supernet.train import TrainOptions

app = typer.Typer(help="Weight-sharing supernet: elastic kernel size, expand ratio and depth.",
                  no_args_is_help=True)


@app.callback()
def supernet() -> None:
    """Weight-sharing supernet: elastic kernel size, expand ratio and depth."""


def default_channels(source: str) -> int:
    """Input channels for a data source: 1 for the MNIST family (IDX), 3 for image folders."""
    if source.startswith("builtin:"):
        return 1
    return 1 if find_idx(Path(source), "train", "images") is not None else 3


@app.command("train")
@handle_errors
def train_cmd(
    space: Path = typer.Option(..., "--space", help="Result of `tinynas space` (tinynas-space/1 JSON)."),
    data: str = typer.Option(..., "--data", help="Data folder, or builtin:fashion-mnist."),
    out: Path = typer.Option(..., "-o", "--out", help="Supernet file to write (.pt)."),
    epochs: int = typer.Option(5, min=1, help="Epochs."),
    batch_size: int = typer.Option(128, min=1, help="Global batch size (all processes together)."),
    lr: float = typer.Option(0.05, min=0.0, help="Peak learning rate (SGD, cosine schedule)."),
    num_random: int = typer.Option(
        2, min=0, help="Random sub-networks per step, besides the largest and smallest."),
    steps_per_epoch: int = typer.Option(None, min=1, help="Cap on steps per epoch (default: whole set)."),
    train_subset: int = typer.Option(None, min=1, help="Use only the first N training images."),
    val_subset: int = typer.Option(1000, min=1, help="Validation images for the per-epoch accuracy."),
    channels: int = typer.Option(None, min=1, help="Input channels (default: 1 for IDX data, 3 for images)."),
    seed: int = typer.Option(0, help="Seed for weights, data order and sub-network sampling."),
    resume: bool = typer.Option(True, help="Continue from OUT if it holds an unfinished run."),
    json_out: bool = JSON_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Train a supernet with the sandwich rule and in-place distillation.

    Under `torchrun --nproc-per-node N` the same command trains with DistributedDataParallel
    (gloo on CPU) and gives the same weights as one process for the same global batch.
    """
    where = init_from_env()
    try:
        check_output_path(out)
        ch = channels or default_channels(data)
        probe = load_data(data, (8, 8), ch, train_subset=1, val_subset=1)
        cfg = config_from_space(space, ch, probe.num_classes)
        splits = load_data(data, (cfg.resolution, cfg.resolution), ch, train_subset=train_subset,
                           val_subset=val_subset, seed=seed)
        opts = TrainOptions(epochs=epochs, batch_size=batch_size, lr=lr, num_random=num_random,
                            steps_per_epoch=steps_per_epoch, seed=seed)
        summary = train_supernet(cfg, splits, opts, out, where, resume=resume,
                                 progress=not (quiet or json_out))
    finally:
        shutdown(where)
    if not where.main:
        return
    if json_out:
        print_json(summary)
    else:
        err_console.print(f"supernet {cfg.name}: {summary['epochs']} epochs, {summary['steps']} steps, "
                          f"val top-1 largest {100 * (summary['val_acc_largest'] or 0):.1f}% "
                          f"smallest {100 * (summary['val_acc_smallest'] or 0):.1f}% -> {out}")


if __name__ == "__main__":
    app()
