"""The steps of ``tinynas run``; each reads the previous steps' files in OUT/ and writes its own."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinyengine_codegen.frontend.netspec import load_netspec
from tinynas.commands.common import write_json
from tinynas.data import load_data
from tinynas.errors import WorkError
from tinynas.pipeline.presets import Preset
from tinynas.pipeline.tools import output_to, run_json

FILES = {
    "space": "space.json",
    "supernet": "supernet.pt",
    "search": "search/best.json",
    "finetune": "finetune.pt",
    "export": "model.tflite",
    "build": "project/te-project.json",
    "bench": "bench.json",
}
STEPS = tuple(FILES)


@dataclass
class RunContext:
    """What every step needs: the output folder, data, board and its budgets, the preset."""

    out: Path
    data: str
    board: str
    board_info: dict[str, Any]
    channels: int
    num_classes: int
    preset: Preset
    progress: bool = True

    def path(self, step: str) -> Path:
        return self.out / FILES[step]

    @property
    def sram(self) -> int:
        return self.preset.sram or int(self.board_info["sram"]["size"])

    @property
    def flash(self) -> int:
        return self.preset.flash or int(self.board_info["flash"]["size"])


def step_space(ctx: RunContext) -> dict[str, Any]:
    """Rank (width, resolution) spaces by the MACs of their fitting sub-networks (te-gen prices)."""
    from tinynas.space.optimize import SpaceReport, evaluate_space, rank_spaces
    from tinynas.space.plot import plot_cdf
    from tinynas.space.report import report_to_dict
    from tinynas.supernet.space import MCUNET_DEPTHS, mcunet_space

    p = ctx.preset
    began = time.perf_counter()
    stats = []
    for width in p.widths:
        for res in p.resolutions:
            cfg = mcunet_space(width, res, ctx.channels, ctx.num_classes, depths=p.depths or MCUNET_DEPTHS,
                               stages=p.stages, name=f"w{width:g}-r{res}")
            stats.append(evaluate_space(cfg, width, p.space_samples, ctx.sram, ctx.flash, seed=0,
                                        patches=p.patches))
    ranked = rank_spaces(stats, "mean", 0.05)
    report = SpaceReport(ctx.sram, ctx.flash, p.space_samples, 0, "mean", 0.05, ranked,
                         time.perf_counter() - began, candidates=p.space_samples * len(stats),
                         patches=p.patches)
    if report.best is None:
        raise WorkError(f"no sub-network of any space fits {ctx.sram} B SRAM and {ctx.flash} B Flash")
    write_json(ctx.path("space"), report_to_dict(report))
    plot_cdf(report, ctx.out / "space.png")
    best = report.best
    return {"space": best.config.name, "width": best.width, "resolution": best.resolution,
            "fit_fraction": best.fit_fraction, "mean_macs": best.score("mean"), "spaces": len(stats)}


def step_supernet(ctx: RunContext) -> dict[str, Any]:
    """Sandwich-rule supernet training over the chosen space (resumes an unfinished file)."""
    from tinynas.supernet.run import train_supernet
    from tinynas.supernet.space import config_from_space
    from tinynas.supernet.train import TrainOptions

    p = ctx.preset
    cfg = config_from_space(ctx.path("space"), ctx.channels, ctx.num_classes)
    splits = load_data(ctx.data, (cfg.resolution, cfg.resolution), ctx.channels, train_subset=p.train_subset,
                       val_subset=1000)
    opts = TrainOptions(epochs=p.supernet_epochs, batch_size=p.batch_size, lr=p.lr,
                        steps_per_epoch=p.supernet_steps)
    summary = train_supernet(cfg, splits, opts, ctx.path("supernet"), progress=ctx.progress)
    return {k: summary[k] for k in ("epochs", "steps", "val_acc_largest", "val_acc_smallest", "seconds")}


def step_search(ctx: RunContext) -> dict[str, Any]:
    """Evolutionary search under the SRAM and Flash budgets."""
    from tinynas.search.driver import SearchRequest, search_supernet

    p = ctx.preset
    ctx.path("search").parent.mkdir(exist_ok=True)
    req = SearchRequest(supernet=ctx.path("supernet"), data=ctx.data, out=ctx.path("search"), sram=ctx.sram,
                        flash=ctx.flash, population=p.population, generations=p.generations,
                        bn_batches=p.bn_batches, bn_batch_size=p.bn_batch_size, val_images=p.val_images,
                        plot=True, patches=p.patches)
    summary = search_supernet(req, progress=ctx.progress)
    return {"best": summary["best"], "timing": summary["timing"], "priced": summary["priced"],
            "evaluated": summary["evaluated"]}


def step_finetune(ctx: RunContext) -> dict[str, Any]:
    """Fine-tune the chosen network from its inherited weights."""
    from tinynas.pipeline.finetune import finetune
    from tinynas.train import TrainConfig

    p = ctx.preset
    spec = load_netspec(ctx.path("search"))
    splits = load_data(ctx.data, spec.resolution, ctx.channels, train_subset=p.extra.get("finetune_subset"))
    cfg = TrainConfig(epochs=p.finetune_epochs, batch_size=p.batch_size, lr=p.finetune_lr, warmup_epochs=0.0)
    result = finetune(ctx.path("search").with_suffix(".pt"), splits, cfg, ctx.path("finetune"))
    return {k: result[k] for k in ("top1_before", "top1", "top5", "epochs")}


def step_export(ctx: RunContext) -> dict[str, Any]:
    """int8 TFLite export (TensorFlow's converter) and float vs int8 accuracy."""
    from tinynas.export import export_tflite
    from tinynas.train import load_trained

    spec = load_netspec(ctx.path("search"))
    model = load_trained(spec, ctx.path("finetune"))
    splits = load_data(ctx.data, spec.resolution, ctx.channels, augment=False,
                       train_subset=ctx.preset.calibration)
    with output_to(ctx.out / "export.log"):  # TensorFlow's converter logs a lot
        result = export_tflite(model, splits.train, splits.val, ctx.path("export"), ctx.preset.calibration)
    return {"size_bytes": result.size_bytes, "float_top1": result.float_metrics.top1,
            "int8_top1": result.int8_metrics.top1, "agreement": result.agreement,
            "val_images": result.int8_metrics.count}


def build_command(ctx: RunContext) -> list[str]:
    """The ``te-gen build`` command line: with the patch mode the search priced the SRAM with."""
    patches = ctx.preset.patches
    return ["te-gen", "build", str(ctx.path("export")), "-o", str(ctx.path("build").parent), "--force",
            "--patch", patches.mode, "--max-extra-macs", repr(patches.max_extra_macs), "--json"]


def step_build(ctx: RunContext) -> dict[str, Any]:
    """``te-gen build``: the generated C project."""
    manifest = run_json(build_command(ctx))
    return {"arena_bytes": manifest["arena_bytes"], "weight_bytes": manifest["weight_bytes"],
            "ops": len(manifest["ops"])}


def step_bench(ctx: RunContext) -> dict[str, Any]:
    """``mcu-bench run`` on the emulated board (QEMU runner)."""
    result = run_json(["mcu-bench", "run", str(ctx.path("build").parent), "--board", ctx.board,
                       "--runner", "qemu", "--repeat", str(ctx.preset.bench_repeat), "--json",
                       "-o", str(ctx.path("bench"))])
    if "_failed" in result or result.get("status") != "ok":
        raise WorkError(f"mcu-bench run: {result.get('_failed') or result.get('status')}")
    return {"status": result["status"], "latency": result["latency"], "memory": result["memory"],
            "outputs_check": result["outputs"].get("check"), "runner": result["runner"]}


RUNNERS = {"space": step_space, "supernet": step_supernet, "search": step_search, "finetune": step_finetune,
           "export": step_export, "build": step_build, "bench": step_bench}
