"""The non-convolution kernels on the ops of the real third-party models, fed with the tensors the
reference interpreter (BUILTIN_REF) computed inside those models."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from tinyengine_codegen.oracle import patch_quantized_dimension

from .opcalls import run_and_compare, supported
from .opcases import OpRun, OpSpec
from .oracle import TFLiteModel

MODELS = ("mcunet_vww.tflite", "person_detect.tflite", "micro_speech.tflite", "mnist_lenet_300_100.tflite")
PER_KIND = 3  # ops of one kind per model (the largest tensors make big C sources)


def _inputs(model: TFLiteModel, rng: np.random.Generator) -> list[np.ndarray]:
    """int8 inputs at random; a float input spans its QUANTIZE's int8 range and a little beyond."""
    data = []
    for t in model.inputs:
        if t.dtype != np.float32:
            data.append(rng.integers(-128, 128, size=t.shape, dtype=np.int8))
            continue
        q = next(op for op in model.ops if op.name == "QUANTIZE" and op.inputs[0].index == t.index).outputs[0]
        lo, hi = (-130 - q.zero_point) * q.scale, (129 - q.zero_point) * q.scale
        data.append(rng.uniform(lo, hi, size=t.shape).astype(np.float32))
    return data


def _model_runs(path: Path, rng: np.random.Generator) -> list[OpRun]:
    content, _ = patch_quantized_dimension(path.read_bytes())  # person_detect: axis 3 on 1-D biases
    model = TFLiteModel(content)
    data = _inputs(model, rng)
    values = dict(zip((t.index for t in model.inputs), data, strict=True))
    values.update(model.run(data))
    seen: Counter[str] = Counter()
    runs = []
    for op in model.ops:
        if not supported(op) or seen[op.name] >= PER_KIND:
            continue
        seen[op.name] += 1
        inputs = [np.asarray(values.get(t.index, t.data)) for t in op.inputs if t is not None]
        spec = OpSpec(f"{path.name} op {op.index} {op.name}", [], lambda: None)
        runs.append(OpRun(spec=spec, op=op, inputs=inputs, output=values[op.outputs[0].index]))
    return runs


def test_real_model_ops_match_tflite(shared_models: Path, build_dir: Path) -> None:
    rng = np.random.default_rng(2026)
    runs = [run for name in MODELS for run in _model_runs(shared_models / name, rng)]
    kinds = {run.op.name for run in runs}
    # What these models exercise: mcunet-vww's QUANTIZE, PAD, ADD, TRANSPOSE, MEAN, DEQUANTIZE;
    # person_detect's AVERAGE_POOL_2D, RESHAPE, SOFTMAX; micro_speech's and mnist's too.
    assert {
        "QUANTIZE",
        "PAD",
        "ADD",
        "TRANSPOSE",
        "MEAN",
        "DEQUANTIZE",
        "AVERAGE_POOL_2D",
        "RESHAPE",
        "SOFTMAX",
    } <= kinds
    run_and_compare(runs, build_dir)
