"""int8 TFLite export: rebuild the netspec in Keras, copy BN-folded weights, full-integer convert.

The Keras network uses ``padding="same"`` everywhere, which is what the torch model computes
(:class:`tinynas.model.SameConv2d`), so no PAD operators appear and the TFLite graph is the one
in docs/formats.md: ``CONV_2D`` / ``[CONV_2D] DEPTHWISE_CONV_2D CONV_2D [ADD]`` per block /
``[CONV_2D]`` ``MEAN`` ``FULLY_CONNECTED``, int8 input and output, per-channel int8 weights.
TensorFlow is imported lazily: only this module needs it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import Dataset

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.data import make_loader
from tinynas.evaluate import Metrics, metrics_from_sums, topk_correct
from tinynas.files import write_atomic
from tinynas.model import ConvBN, TinyNet, fold_bn

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@dataclass
class ExportResult:
    """What :func:`export_tflite` wrote and measured."""

    path: Path
    size_bytes: int
    ops: list[str]
    float_metrics: Metrics
    int8_metrics: Metrics
    agreement: float  # percent of images where float and int8 predict the same class

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size_bytes": self.size_bytes, "ops": self.ops,
                "float": self.float_metrics.to_dict(), "int8": self.int8_metrics.to_dict(),
                "agreement": self.agreement}


def expected_ops(spec: NetSpec) -> list[str]:
    """The TFLite operator sequence of ``spec``'s export (docs/formats.md)."""
    ops = ["CONV_2D"]
    for i, block in enumerate(spec.blocks):
        ops += (["CONV_2D"] if block.expand_ratio != 1 else []) + ["DEPTHWISE_CONV_2D", "CONV_2D"]
        ops += ["ADD"] if spec.is_residual(i) else []
    return ops + (["CONV_2D"] if spec.mix_channels else []) + ["MEAN", "FULLY_CONNECTED"]


def _conv_layers(keras: Any, x: Any, layer: ConvBN, depthwise: bool, act: bool) -> Any:
    weight, bias = (t.numpy() for t in fold_bn(layer))
    k, s = layer.conv.kernel_size[0], layer.conv.stride[0]
    if depthwise:
        conv = keras.layers.DepthwiseConv2D(k, strides=s, padding="same")
        kernel = weight.transpose(2, 3, 0, 1)  # (C, 1, kh, kw) -> (kh, kw, C, 1)
    else:
        conv = keras.layers.Conv2D(weight.shape[0], k, strides=s, padding="same")
        kernel = weight.transpose(2, 3, 1, 0)  # (O, I, kh, kw) -> (kh, kw, I, O)
    y = conv(x)
    conv.set_weights([kernel, bias])
    return keras.layers.ReLU(max_value=6.0)(y) if act else y


def build_keras(model: TinyNet) -> Any:
    """A Keras model computing what ``model`` computes in eval mode (BN folded), NHWC input."""
    import keras

    spec = model.spec
    inp = keras.Input((*spec.resolution, spec.in_channels), batch_size=1, name="input")
    x = _conv_layers(keras, inp, model.stem, depthwise=False, act=True)
    for block in model.blocks:
        y = x
        if block.expand is not None:
            y = _conv_layers(keras, y, block.expand, depthwise=False, act=True)
        y = _conv_layers(keras, y, block.depthwise, depthwise=True, act=True)
        y = _conv_layers(keras, y, block.project, depthwise=False, act=False)
        x = keras.layers.Add()([x, y]) if block.residual else y
    if model.mix is not None:
        x = _conv_layers(keras, x, model.mix, depthwise=False, act=True)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(spec.num_classes, name="logits")
    out = dense(x)
    dense.set_weights([model.classifier.weight.detach().numpy().T, model.classifier.bias.detach().numpy()])
    return keras.Model(inp, out, name=spec.name.replace(".", "_"))


def nhwc_batches(dataset: Dataset, count: int, batch_size: int = 64) -> Iterable[np.ndarray]:
    """The first ``count`` images of ``dataset`` as NHWC float32 batches."""
    seen = 0
    for images, _ in make_loader(dataset, batch_size, shuffle=False):
        take = min(images.shape[0], count - seen)
        yield images[:take].permute(0, 2, 3, 1).numpy()
        seen += take
        if seen >= count:
            return


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Hold what TensorFlow writes (Python and C level, stdout and stderr) while the block runs.

    Keeps ``--json`` output clean and the terminal readable; the held text is shown on stderr
    only when the block raises.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    held = io.StringIO()
    with tempfile.TemporaryFile() as native:
        os.dup2(native.fileno(), 1)
        os.dup2(native.fileno(), 2)
        try:
            with (
                contextlib.redirect_stdout(held),
                contextlib.redirect_stderr(held),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore")
                yield
        except BaseException:
            _restore_fds(saved)
            native.seek(0)
            sys.stderr.write(native.read().decode(errors="replace") + held.getvalue())
            raise
        _restore_fds(saved)


def _restore_fds(saved: tuple[int, int]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, copy in zip((1, 2), saved, strict=True):
        os.dup2(copy, fd)
        os.close(copy)


def convert_int8(keras_model: Any, calibration: np.ndarray) -> bytes:
    """Full-integer TFLite flatbuffer: int8 weights per channel, int8 activations, int8 input/output."""
    with quiet_tensorflow():
        return _convert_int8(keras_model, calibration)


def _convert_int8(keras_model: Any, calibration: np.ndarray) -> bytes:
    import tensorflow as tf

    def representative() -> Iterable[list[np.ndarray]]:
        for image in calibration:
            yield [image[None].astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def tflite_ops(model_bytes: bytes) -> list[str]:
    """Builtin operator names of a TFLite model's main subgraph, in execution order."""
    import tflite

    model = tflite.Model.GetRootAsModel(model_bytes, 0)
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    graph = model.Subgraphs(0)
    ops = []
    for i in range(graph.OperatorsLength()):
        code = model.OperatorCodes(graph.Operators(i).OpcodeIndex())
        ops.append(names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())])
    return ops


class TFLiteClassifier:
    """Runs an int8 TFLite classifier on float NCHW batches (quantizes in, dequantizes out)."""

    def __init__(self, model_bytes: bytes) -> None:
        import tensorflow as tf

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.interp = tf.lite.Interpreter(model_content=model_bytes)
        self.interp.allocate_tensors()
        self.inp, self.out = self.interp.get_input_details()[0], self.interp.get_output_details()[0]

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """Dequantized logits (N, classes) for float NCHW ``images``."""
        in_scale, in_zp = self.inp["quantization"]
        out_scale, out_zp = self.out["quantization"]
        rows = []
        for image in images.permute(0, 2, 3, 1).numpy():
            q = np.clip(np.round(image / in_scale) + in_zp, -128, 127).astype(np.int8)
            self.interp.set_tensor(self.inp["index"], q[None])
            self.interp.invoke()
            raw = self.interp.get_tensor(self.out["index"])[0].astype(np.float32)
            rows.append((raw - out_zp) * out_scale)
        return torch.from_numpy(np.stack(rows))


def _sums(logits: torch.Tensor, labels: torch.Tensor) -> np.ndarray:
    loss = F.cross_entropy(logits, labels, reduction="sum").item()
    return np.array([topk_correct(logits, labels, 1), topk_correct(logits, labels, 5), loss, labels.shape[0]])


@torch.no_grad()
def compare_float_int8(model: TinyNet, model_bytes: bytes,
                       dataset: Dataset) -> tuple[Metrics, Metrics, float]:
    """Float (torch) and int8 (TFLite) metrics on ``dataset``, and their top-1 agreement in percent."""
    run_int8 = TFLiteClassifier(model_bytes)
    model.eval()
    float_sums, int8_sums, agree = np.zeros(4), np.zeros(4), 0
    for images, labels in make_loader(dataset, 256, shuffle=False):
        f, q = model(images), run_int8(images)
        float_sums += _sums(f, labels)
        int8_sums += _sums(q, labels)
        agree += int((f.argmax(1) == q.argmax(1)).sum())
    n = model.spec.num_classes
    float_metrics = metrics_from_sums(*float_sums[:3], int(float_sums[3]), n)
    int8_metrics = metrics_from_sums(*int8_sums[:3], int(int8_sums[3]), n)
    return float_metrics, int8_metrics, 100.0 * agree / max(1, int8_metrics.count)


def export_tflite(model: TinyNet, calibration: Dataset, validation: Dataset, out: str | Path,
                  num_calibration: int = 300) -> ExportResult:
    """Export ``model`` to int8 TFLite at ``out`` (atomically) and measure float vs int8 accuracy.

    ``calibration``: training images (not augmented) for the representative dataset;
    ``validation``: the images both models are scored on.
    """
    model.eval()
    calib = np.concatenate(list(nhwc_batches(calibration, num_calibration)))
    with quiet_tensorflow():
        model_bytes = convert_int8(build_keras(model), calib)
        ops = tflite_ops(model_bytes)
        float_metrics, int8_metrics, agreement = compare_float_int8(model, model_bytes, validation)
    out = Path(out)
    write_atomic(out, lambda tmp: tmp.write_bytes(model_bytes))
    return ExportResult(out, len(model_bytes), ops, float_metrics, int8_metrics, agreement)
