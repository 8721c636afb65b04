"""Run a whole supernet training: build or resume, train the epochs, checkpoint, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from tinynas.commands.common import make_progress
from tinynas.data import Splits
from tinynas.errors import InputError
from tinynas.supernet.config import SupernetConfig
from tinynas.supernet.distributed import Dist
from tinynas.supernet.network import Supernet
from tinynas.supernet.train import EpochLog, SupernetTrainer, TrainOptions


def train_supernet(cfg: SupernetConfig, splits: Splits, opts: TrainOptions, out: str | Path,
                   where: Dist | None = None, resume: bool = True, progress: bool = True,
                   on_epoch: Callable[[EpochLog], None] | None = None) -> dict[str, Any]:
    """Train (or resume training) a supernet and write it to ``out``; returns a summary.

    With ``resume`` and a supernet file at ``out`` from the same space, training continues after
    its last completed epoch and ends where an uninterrupted run ends.
    """
    where = where or Dist()
    out = Path(out)
    torch.manual_seed(opts.seed)
    net = Supernet(cfg)
    try:
        trainer = SupernetTrainer(net, splits.train, splits.val, opts, where)
    except ValueError as exc:
        raise InputError(f"supernet training: {exc}") from None
    resumed_from = 0
    if resume:
        try:
            if trainer.resume(out):
                resumed_from = trainer.state.epoch
        except ValueError as exc:
            raise InputError(str(exc)) from None
    show = progress and where.main
    with make_progress(show, keep=True) as bar:
        for epoch in range(trainer.state.epoch, opts.epochs):
            task = bar.add_task(f"epoch {epoch + 1}/{opts.epochs}", total=trainer.steps_per_epoch, info="")

            def on_step(i: int, loss: float, acc: float, task: int = task) -> None:
                bar.update(task, completed=i, info=f"loss {loss:.3f}  acc {100 * acc:5.1f}%")

            log = trainer.run_epoch(on_step)
            bar.update(task, info=f"loss {log.loss:.3f}  val largest {100 * log.val_acc_largest:.1f}%"
                                   f"  smallest {100 * log.val_acc_smallest:.1f}%")
            trainer.save(out)
            if on_epoch:
                on_epoch(log)
    if trainer.state.epoch >= opts.epochs and not out.exists():
        trainer.save(out)
    last = trainer.state.history[-1] if trainer.state.history else {}
    return {"supernet": str(out), "config": cfg.to_dict(), "epochs": trainer.state.epoch,
            "steps": trainer.state.step, "resumed_from_epoch": resumed_from, "processes": where.world,
            "val_acc_largest": last.get("val_acc_largest"), "val_acc_smallest": last.get("val_acc_smallest"),
            "seconds": sum(h["seconds"] for h in trainer.state.history), "history": trainer.state.history}

