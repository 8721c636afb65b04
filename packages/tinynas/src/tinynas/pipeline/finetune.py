"""Fine-tune the searched sub-network from its inherited weights (part 1's training blocks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tinynas.checkpoint import load_checkpoint, save_checkpoint
from tinynas.data import Splits, make_loader, set_epoch
from tinynas.evaluate import evaluate
from tinynas.model import build_model
from tinynas.train import TrainConfig, make_optimizer, make_scheduler, train_one_epoch


def finetune(weights: Path, splits: Splits, cfg: TrainConfig, out: Path,
             on_batch: Callable[[int, int, float], None] | None = None) -> dict[str, Any]:
    """Train the network of checkpoint ``weights`` for ``cfg.epochs`` more; write a checkpoint to ``out``."""
    ckpt = load_checkpoint(weights)
    spec = ckpt["netspec"]
    torch.manual_seed(cfg.seed)
    model = build_model(spec)
    model.load_state_dict(ckpt["model"])
    val_loader = make_loader(splits.val, 256, shuffle=False)
    before = evaluate(model, val_loader)
    loader = make_loader(splits.train, cfg.batch_size, shuffle=True, seed=cfg.seed, drop_last=True)
    optimizer = make_optimizer(model, cfg)
    scheduler = make_scheduler(optimizer, cfg, len(loader))
    criterion = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    history = []
    for epoch in range(cfg.epochs):
        set_epoch(loader, epoch, cfg.seed)
        loss = train_one_epoch(model, loader, optimizer, scheduler, criterion, on_batch)
        history.append({"epoch": epoch + 1, "train_loss": loss})
    after = evaluate(model, val_loader)
    save_checkpoint(out, {"netspec": spec, "model": model.state_dict(), "epoch": cfg.epochs,
                          "metrics": after.to_dict(), "history": history, "init": str(weights)})
    return {"checkpoint": str(out), "netspec": spec.name, "top1_before": before.top1, "top1": after.top1,
            "top5": after.top5, "epochs": cfg.epochs, "history": history}
