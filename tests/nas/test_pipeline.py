"""`tinynas run` end to end on a tiny budget: space to firmware measured on the emulated STM32F746."""

from __future__ import annotations

import json
from pathlib import Path

from tinynas.pipeline.presets import Preset
from tinynas.pipeline.run import run_pipeline
from tinynas.pipeline.steps import STEPS, RunContext
from tinynas.pipeline.tools import board_info
from tinynas.space.pricing import PatchPolicy

TINY = Preset(
    "tiny", widths=(0.25,), resolutions=(16, 20), stages=2, depths=((1, 2), (1, 2)), space_samples=30,
    sram=3 * 1024, flash=128 * 1024, supernet_epochs=1, supernet_steps=4, batch_size=32, lr=0.05,
    train_subset=256, population=4, generations=1, bn_batches=1, bn_batch_size=32, val_images=64,
    finetune_epochs=1, finetune_lr=0.01, calibration=32, bench_repeat=1, extra={"finetune_subset": 128},
    patches=PatchPolicy("auto", 0.2),  # space, search and te-gen build with patch-based inference
)


def test_pipeline_runs_every_step_and_reruns_nothing(tmp_path: Path) -> None:
    ctx = RunContext(out=tmp_path / "run", data="builtin:fashion-mnist", board="stm32f746",
                     board_info=board_info("stm32f746"), channels=1, num_classes=10, preset=TINY,
                     progress=False)
    states: list[tuple[str, str]] = []
    record = run_pipeline(ctx, on_step=lambda step, state, _: states.append((step, state)))
    assert [s for s, state in states if state == "done"] == list(STEPS)
    report = json.loads((ctx.out / "report.json").read_text())
    assert report == record["report"]
    search = record["steps"]["search"]["summary"]["best"]
    # The arena the search priced is the arena te-gen generated and mcu-bench ran.
    assert report["peak_sram_bytes"] == search["sram_bytes"] <= TINY.sram
    # with --patch auto, te-gen built with patches too (2x2 tiles on this budget: the layer-by-layer
    # arena of the winner is over it)
    if search["patch"] is not None:
        assert search["patch"]["arena_without_patches"] > search["sram_bytes"]
    assert record["patches"] == {"mode": "auto", "max_extra_macs": 0.2}
    bench = json.loads((ctx.out / "bench.json").read_text())
    assert bench["memory"]["arena"] == search["sram_bytes"]
    assert report["outputs_check"] == "match" and report["fits"] is True
    assert report["latency"]["unit"] == "emulated_instructions" and report["latency"]["mean"] > 0
    assert report["int8_top1"] is not None and report["float_top1"] is not None
    for step in STEPS:
        assert ctx.path(step).exists()

    states.clear()
    run_pipeline(ctx, on_step=lambda step, state, _: states.append((step, state)))
    assert states == [(step, "kept") for step in STEPS]
