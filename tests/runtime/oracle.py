"""The oracle: int8 models built with TensorFlow's converter, run by TFLite's reference kernels.

Typical use in a kernel test::

    spec = [InputSpec((1, 9, 9, 4), -1.0, 2.0)]
    def fn(x):
        return tf.nn.relu6(tf.nn.conv2d(x, w, strides=2, padding="SAME") + b)
    model = TFLiteModel(convert(fn, spec, seed=3))
    op = model.op("CONV_2D")                 # OpInfo: inputs/outputs (TensorInfo), options (dict)
    x = model.random_inputs(rng)             # int8 arrays, one per model input
    x_op = x[model.input_position(op.inputs[0])]
    outputs = model.run(x)                   # {tensor index: array} for every op output
    y = outputs[op.outputs[0].index]

Several independent ops can share one model (one input each, one output each) to save
conversions (~0.2 s each): ``model.ops_named("CONV_2D")`` lists them in graph order.
``patch_quantization`` rewrites a tensor's scale/zero point in the flatbuffer, e.g. to make a
fused RELU/RELU6 clamp actually bite (the converter picks output ranges where it never does).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402
import tflite  # noqa: E402
import tflite.utils  # noqa: E402


@dataclass(frozen=True)
class InputSpec:
    """A float model input: shape and the range the representative dataset draws from."""

    shape: tuple[int, ...]
    low: float
    high: float


@dataclass(eq=False)
class TensorInfo:
    """One tensor of the converted model, with its quantization and constant data."""

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    scales: np.ndarray
    zero_points: np.ndarray
    quantized_dimension: int
    data: np.ndarray | None

    @property
    def scale(self) -> float:
        """The single (per-tensor) scale."""
        return float(self.scales[0])

    @property
    def zero_point(self) -> int:
        """The single (per-tensor) zero point."""
        return int(self.zero_points[0])


@dataclass
class OpInfo:
    """One operator: its name, input tensors (None for an omitted optional input), outputs, options."""

    index: int
    name: str
    inputs: list[TensorInfo | None]
    outputs: list[TensorInfo]
    options: dict[str, Any]


def convert(
    fn: Callable[..., Any],
    inputs: Sequence[InputSpec],
    *,
    seed: int = 0,
    samples: int = 16,
    per_channel_dense: bool | None = None,
) -> bytes:
    """Convert ``fn`` (float tensors in, tensors out) to a full-integer int8 .tflite model.

    The representative dataset draws ``samples`` batches uniformly from each input's range;
    ``per_channel_dense`` forces per-channel (True) or per-tensor (False) FULLY_CONNECTED weights;
    None keeps the converter's default (per-channel in TF 2.21).
    """
    signature = [tf.TensorSpec(s.shape, tf.float32) for s in inputs]
    func = tf.function(fn, input_signature=signature)
    rng = np.random.default_rng(seed)

    def representative():
        for _ in range(samples):
            yield [rng.uniform(s.low, s.high, s.shape).astype(np.float32) for s in inputs]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([func.get_concrete_function()], func)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    if per_channel_dense is not None:
        converter._experimental_disable_per_channel_quantization_for_dense_layers = not per_channel_dense
    return converter.convert()


def _options_classes() -> dict[int, str]:
    return {
        value: name
        for name, value in vars(tflite.BuiltinOptions).items()
        if not name.startswith("_") and isinstance(value, int)
    }


def _read_options(table_op: Any) -> dict[str, Any]:
    options_type = table_op.BuiltinOptionsType()
    table = table_op.BuiltinOptions()
    if options_type == 0 or table is None:
        return {}
    cls = getattr(tflite, _options_classes()[options_type])
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    result: dict[str, Any] = {}
    skip = ("Init", "GetRootAs", "BufferHasIdentifier", "AsNumpy", "IsNone", "Length")
    for attr in dir(opts):
        if attr.startswith("_") or any(s in attr for s in skip):
            continue
        try:
            result[attr] = getattr(opts, attr)()
        except TypeError:  # vector accessors take an index
            if hasattr(opts, attr + "AsNumpy"):
                result[attr] = getattr(opts, attr + "AsNumpy")()
    return result


class TFLiteModel:
    """A converted model under the BUILTIN_REF interpreter, with its ops and tensors described."""

    def __init__(self, content: bytes) -> None:
        self.content = bytes(content)
        self.interpreter = tf.lite.Interpreter(
            model_content=self.content,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
            experimental_preserve_all_tensors=True,
        )
        self.interpreter.allocate_tensors()
        self._tensors = {d["index"]: d for d in self.interpreter.get_tensor_details()}
        fb = tflite.Model.GetRootAs(self.content, 0)
        graph = fb.Subgraphs(0)
        self.ops: list[OpInfo] = []
        for detail in self.interpreter._get_ops_details():
            fb_op = graph.Operators(detail["index"])
            code = fb.OperatorCodes(fb_op.OpcodeIndex())
            name = tflite.utils.opcode2name(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
            if name != detail["op_name"]:
                raise RuntimeError(
                    f"op {detail['index']}: flatbuffer says {name}, interpreter {detail['op_name']}"
                )
            self.ops.append(
                OpInfo(
                    index=int(detail["index"]),
                    name=name,
                    inputs=[self.tensor(int(i)) if i >= 0 else None for i in detail["inputs"]],
                    outputs=[self.tensor(int(i)) for i in detail["outputs"]],
                    options=_read_options(fb_op),
                )
            )
        self.inputs = [self.tensor(d["index"]) for d in self.interpreter.get_input_details()]

    def tensor(self, index: int) -> TensorInfo:
        """Describe tensor ``index`` (constant data filled in for weights and biases)."""
        d = self._tensors[index]
        q = d["quantization_parameters"]
        try:
            data = np.array(self.interpreter.get_tensor(index))
        except ValueError:
            data = None
        return TensorInfo(
            index=index,
            name=d["name"],
            shape=tuple(int(s) for s in d["shape"]),
            dtype=np.dtype(d["dtype"]),
            scales=np.asarray(q["scales"], dtype=np.float32),
            zero_points=np.asarray(q["zero_points"], dtype=np.int64),
            quantized_dimension=int(q["quantized_dimension"]),
            data=data,
        )

    def ops_named(self, name: str) -> list[OpInfo]:
        """Every op with builtin name ``name`` (e.g. "CONV_2D"), in graph order."""
        return [op for op in self.ops if op.name == name]

    def op(self, name: str) -> OpInfo:
        """The only op named ``name``; fails if there is none or several."""
        found = self.ops_named(name)
        if len(found) != 1:
            raise LookupError(f"expected one {name}, model has {[o.name for o in self.ops]}")
        return found[0]

    def input_position(self, tensor: TensorInfo) -> int:
        """Position of ``tensor`` among the model inputs (as in ``run``'s list)."""
        return [t.index for t in self.inputs].index(tensor.index)

    def random_inputs(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Uniform random int8 data for every model input."""
        return [rng.integers(-128, 128, size=t.shape, dtype=np.int8) for t in self.inputs]

    def run(self, inputs: Sequence[np.ndarray]) -> dict[int, np.ndarray]:
        """Invoke on int8 ``inputs``; returns every op output by tensor index."""
        for spec, value in zip(self.inputs, inputs, strict=True):
            self.interpreter.set_tensor(spec.index, np.asarray(value, dtype=spec.dtype).reshape(spec.shape))
        self.interpreter.invoke()
        return {
            t.index: np.array(self.interpreter.get_tensor(t.index)) for op in self.ops for t in op.outputs
        }


def patch_quantization(content: bytes, tensor_index: int, scale: float, zero_point: int) -> bytes:
    """A copy of the model with a per-tensor tensor's scale and zero point replaced in place."""
    buf = bytearray(content)
    fb = tflite.Model.GetRootAs(bytes(buf), 0)
    q = fb.Subgraphs(0).Tensors(tensor_index).Quantization()
    if q is None or q.ScaleLength() != 1 or q.ZeroPointLength() != 1:
        raise ValueError(f"tensor {tensor_index} is not per-tensor quantized")
    scale_at = q._tab.Vector(q._tab.Offset(8))
    zp_at = q._tab.Vector(q._tab.Offset(10))
    buf[scale_at : scale_at + 4] = np.float32(scale).tobytes()
    buf[zp_at : zp_at + 8] = np.int64(zero_point).tobytes()
    return bytes(buf)
