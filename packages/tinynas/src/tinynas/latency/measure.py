"""Measure single layers on a board or its emulator: Keras layer -> int8 TFLite -> te-gen -> mcu-bench."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from tinynas.errors import WorkError
from tinynas.latency.layers import Layer, netspec_layers
from tinynas.latency.table import LatencyTable
from tinynas.pipeline.tools import board_info, run_json
from tinynas.supernet.arch import SubnetArch, to_netspec
from tinynas.supernet.config import SupernetConfig


def space_layers(cfg: SupernetConfig) -> list[Layer]:
    """Every distinct convolution any sub-network of ``cfg`` can contain."""
    n = cfg.num_slots
    seen: dict[str, Layer] = {}
    for k in cfg.kernel_sizes:
        for e in cfg.expand_ratios:
            arch = SubnetArch(tuple(s.max_depth for s in cfg.stages), (k,) * n, (e,) * n)
            for layer in netspec_layers(to_netspec(cfg, arch)):
                seen.setdefault(layer.key, layer)
    return list(seen.values())


def layer_tflite(layer: Layer, path: Path, seed: int = 0) -> None:
    """A one-layer int8 model (random weights, ReLU6 as in the network) written to ``path``."""
    import keras

    from tinynas.export import convert_int8

    inp = keras.Input((layer.height, layer.width, layer.in_channels), batch_size=1)
    if layer.kind == "depthwise":
        conv = keras.layers.DepthwiseConv2D(layer.kernel_size, layer.stride, padding="same")
    else:
        conv = keras.layers.Conv2D(layer.out_channels, layer.kernel_size, layer.stride, padding="same")
    model = keras.Model(inp, keras.layers.ReLU(6.0)(conv(inp)))
    rng = np.random.default_rng(seed)
    calib = rng.uniform(-1, 1, (16, layer.height, layer.width, layer.in_channels)).astype(np.float32)
    path.write_bytes(convert_int8(model, calib))


def measure_layer(layer: Layer, board: str, runner: str, repeat: int = 3) -> tuple[float, dict]:
    """Latency of ``layer`` (mcu-bench's mean, in its unit) and the bench result."""
    with tempfile.TemporaryDirectory(prefix="tinynas-lut-") as tmp:
        model = Path(tmp) / "layer.tflite"
        layer_tflite(layer, model)
        run_json(["te-gen", "build", str(model), "-o", str(Path(tmp) / "project"), "--json"])
        result = run_json(["mcu-bench", "run", str(Path(tmp) / "project"), "--board", board,
                           "--runner", runner, "--repeat", str(repeat), "--json"])
    if "_failed" in result or result.get("status") != "ok":
        why = result.get("_failed") or result.get("status")
        raise WorkError(f"{layer.key}: mcu-bench run failed ({why})")
    return float(result["latency"]["mean"]), result


def build_table(layers: Iterable[Layer], board: str, runner: str, table: LatencyTable | None = None,
                save: Callable[[LatencyTable], None] | None = None,
                on_layer: Callable[[Layer, float, bool], None] | None = None) -> LatencyTable:
    """Measure every layer not yet in ``table``; ``save`` after each one (so a run can resume)."""
    info = board_info(board)
    for layer in layers:
        if table is not None and layer.key in table.entries:
            if on_layer:
                on_layer(layer, table.entries[layer.key], False)
            continue
        value, result = measure_layer(layer, board, runner)
        if table is None:
            emulated = bool(result["runner"]["emulated"])
            table = LatencyTable(board, result["runner"]["name"], emulated, result["latency"]["unit"],
                                 int(info["clock_hz"]))
        table.entries[layer.key] = value
        if save:
            save(table)
        if on_layer:
            on_layer(layer, value, True)
    if table is None:
        raise ValueError("no layers to measure")
    return table
