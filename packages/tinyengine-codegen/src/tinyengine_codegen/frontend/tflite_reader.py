"""TFLite flatbuffer -> graph IR (:class:`~tinyengine_codegen.ir.graph.Graph`).

:func:`read_tflite` decodes any well-formed model (``te-gen inspect`` shows what it holds);
:func:`load_tflite` also refuses what te-gen cannot compile: a float model, or operators the
runtime does not implement (all of them named at once, with their indices).

Conventions beyond the IR's: an absent optional input (a fully connected layer without bias)
is ``-1`` in ``Operator.inputs``; constant tensors carry their values as numpy arrays in
their dtype and shape; operator names are ``"<index>:<kind>"``; the quantization axis of a
1-D tensor is 0 (person_detect's biases say 3, which TF's interpreter rejects).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tflite
from tflite.TensorType import TensorType
from tflite.utils import BUILTIN_OPCODE2NAME

from tinyengine_codegen.errors import InputError, UnsupportedModelError
from tinyengine_codegen.frontend.tflite_options import decode_options
from tinyengine_codegen.ir.graph import Graph, Operator, Quantization, Tensor
from tinyengine_codegen.passes.fuse_activation import ACTIVATION_OPS, fusable_activation

SUPPORTED_OPS = frozenset(
    {
        "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "AVERAGE_POOL_2D",
        "MAX_POOL_2D", "MEAN", "SOFTMAX", "LOG_SOFTMAX", "PAD", "PADV2", "CONCATENATION", "RESHAPE",
        "SQUEEZE", "TRANSPOSE", "RESIZE_NEAREST_NEIGHBOR", "STRIDED_SLICE", "LOGISTIC", "HARD_SWISH",
        "LEAKY_RELU", "QUANTIZE", "DEQUANTIZE",
    }
)  # fmt: skip
BOUNDARY_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})
# Operators the runtime also runs on float tensors (after a DEQUANTIZE, before a QUANTIZE).
FLOAT_KERNEL_OPS = frozenset({"SOFTMAX", "LOG_SOFTMAX", "RESHAPE", "SQUEEZE"})
FLOAT_DTYPES = frozenset({"float32", "float16", "float64"})

_DTYPES = {
    TensorType.FLOAT32: "float32",
    TensorType.FLOAT16: "float16",
    TensorType.INT32: "int32",
    TensorType.UINT8: "uint8",
    TensorType.INT64: "int64",
    TensorType.BOOL: "bool",
    TensorType.INT16: "int16",
    TensorType.INT8: "int8",
    TensorType.FLOAT64: "float64",
}
_NUMPY = {"float16": np.float16, "float64": np.float64}


class TFLiteFormatError(InputError):
    """The file is not a readable TFLite flatbuffer."""


class FloatModelError(UnsupportedModelError):
    """A float (non-quantized) model."""


class UnsupportedOperatorError(UnsupportedModelError):
    """A quantized model with operators the runtime does not implement."""


def read_tflite(path: str | Path) -> Graph:
    """Decode a .tflite file into the graph IR, without checking that te-gen supports it."""
    path = Path(path)
    model, buf = _open_model(path)
    try:
        return _decode(model, buf, path)
    except (IndexError, ValueError, TypeError, AttributeError, KeyError) as exc:
        raise TFLiteFormatError(f"{path}: corrupt TFLite flatbuffer ({exc})") from None
    except InputError:
        raise
    except Exception as exc:  # flatbuffers raises bare errors on truncated tables  # noqa: BLE001
        raise TFLiteFormatError(f"{path}: corrupt TFLite flatbuffer ({type(exc).__name__})") from None


def load_tflite(path: str | Path) -> Graph:
    """Decode a .tflite file and check that te-gen can compile it (int8, supported operators)."""
    graph = read_tflite(path)
    check_supported(graph, path)
    return graph


def _open_model(path: Path) -> tuple[tflite.Model, bytes]:
    if not path.exists():
        raise TFLiteFormatError(f"{path}: no such file")
    if not path.is_file():
        raise TFLiteFormatError(f"{path}: not a file")
    try:
        buf = path.read_bytes()
    except OSError as exc:
        raise TFLiteFormatError(f"{path}: cannot read ({exc.strerror})") from None
    if not buf:
        raise TFLiteFormatError(f"{path}: empty file")
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        found = buf[4:8] if len(buf) >= 8 else buf[:8]
        raise TFLiteFormatError(f"{path}: not a TFLite model (file identifier {found!r}, expected b'TFL3')")
    try:
        model = tflite.Model.GetRootAs(buf, 0)
        if model.SubgraphsLength() < 1:
            raise TFLiteFormatError(f"{path}: TFLite model without a subgraph")
    except TFLiteFormatError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise TFLiteFormatError(f"{path}: corrupt TFLite flatbuffer ({type(exc).__name__})") from None
    return model, buf


def _decode(model: tflite.Model, buf: bytes, path: Path) -> Graph:
    sub = model.Subgraphs(0)
    tensors = [_tensor(model, buf, sub.Tensors(i), i, path) for i in range(sub.TensorsLength())]
    opcodes = [_opcode_name(model.OperatorCodes(i)) for i in range(model.OperatorCodesLength())]
    operators = []
    for i in range(sub.OperatorsLength()):
        fb_op = sub.Operators(i)
        kind = opcodes[fb_op.OpcodeIndex()]
        operators.append(
            Operator(
                kind=kind,
                inputs=[int(t) for t in _ints(fb_op.InputsAsNumpy())],
                outputs=[int(t) for t in _ints(fb_op.OutputsAsNumpy())],
                options=decode_options(fb_op),
                name=f"{i}:{kind}",
            )
        )
    n = len(tensors)
    for i, op in enumerate(operators):
        if any(t >= n or t < -1 for t in op.inputs + op.outputs):
            raise TFLiteFormatError(f"{path}: operator {i} {op.kind} refers to a tensor that does not exist")
    inputs = [int(t) for t in _ints(sub.InputsAsNumpy())]
    outputs = [int(t) for t in _ints(sub.OutputsAsNumpy())]
    if any(t < 0 or t >= n for t in inputs + outputs):
        raise TFLiteFormatError(f"{path}: graph inputs/outputs refer to a tensor that does not exist")
    return Graph(
        tensors=tensors,
        operators=operators,
        inputs=inputs,
        outputs=outputs,
        name=path.stem,
        source=str(path),
        metadata={"format": "tflite", "subgraphs": model.SubgraphsLength(), "version": model.Version()},
    )


def _ints(values: object) -> list[int]:
    # The flatbuffers accessors return 0 instead of an empty array for an absent vector.
    return [] if isinstance(values, int) else list(values)


def _opcode_name(code: tflite.OperatorCode) -> str:
    builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    name = BUILTIN_OPCODE2NAME.get(builtin, f"BUILTIN_{builtin}")
    if name == "CUSTOM":
        custom = code.CustomCode()
        return f"CUSTOM({custom.decode('utf-8', 'replace')})" if custom else "CUSTOM"
    return name


def _tensor(model: tflite.Model, buf: bytes, fb: tflite.Tensor, index: int, path: Path) -> Tensor:
    name = (fb.Name() or b"").decode("utf-8", "replace") or f"tensor_{index}"
    ttype = fb.Type()
    if ttype not in _DTYPES:
        raise UnsupportedModelError(f"{path}: tensor {index} {name!r} has an unsupported type ({ttype})")
    dtype = _DTYPES[ttype]
    shape = tuple(int(d) for d in _ints(fb.ShapeAsNumpy()))
    data = _buffer_data(model, buf, fb.Buffer(), dtype, shape)
    quant = _quantization(fb.Quantization())
    if quant is not None and len(shape) <= 1:
        quant.axis = 0  # some converters write the weights' axis (3) on 1-D biases
    return Tensor(
        name=name,
        shape=shape,
        dtype=dtype,
        quant=quant,
        data=data,
        is_const=data is not None,
    )


def _buffer_data(
    model: tflite.Model, buf: bytes, buffer_index: int, dtype: str, shape: tuple[int, ...]
) -> np.ndarray | None:
    if buffer_index <= 0 or buffer_index >= model.BuffersLength():
        return None
    buffer = model.Buffers(buffer_index)
    offset = buffer.Offset() if hasattr(buffer, "Offset") else 0
    if offset > 1:
        raw = np.frombuffer(buf, np.uint8, count=buffer.Size(), offset=offset)
    elif buffer.DataLength() > 0:
        raw = buffer.DataAsNumpy()
    else:
        return None
    values = raw.view(_NUMPY.get(dtype, dtype))
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if values.size != count:
        raise ValueError(f"buffer {buffer_index} holds {values.size} values, shape {shape} needs {count}")
    return values.reshape(shape).copy()


def _quantization(q: tflite.QuantizationParameters | None) -> Quantization | None:
    if q is None or q.ScaleLength() == 0:
        return None
    scale = [float(s) for s in q.ScaleAsNumpy()]
    zero_point = [int(z) for z in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else [0] * len(scale)
    return Quantization(scale=scale, zero_point=zero_point, axis=int(q.QuantizedDimension()))


def unsupported_operators(graph: Graph) -> list[tuple[int, str, str]]:
    """(index, kind, reason) of every operator te-gen cannot compile.

    A standalone RELU / RELU6 / RELU_N1_TO_1 is supported when the passes can fuse it into
    the operator that produces its input.
    """
    problems = []
    for i, op in enumerate(graph.operators):
        if op.kind in ACTIVATION_OPS and fusable_activation(graph, i) is not None:
            continue
        if op.kind not in SUPPORTED_OPS:
            problems.append((i, op.kind, "no runtime kernel"))
        elif op.kind not in BOUNDARY_OPS | FLOAT_KERNEL_OPS and _float_tensors(graph, op):
            problems.append((i, op.kind, "float tensors"))
    return problems


def is_float_model(graph: Graph) -> bool:
    """True when no compute operator is quantized: every one reads or writes float tensors."""
    compute = [op for op in graph.operators if op.kind not in BOUNDARY_OPS | FLOAT_KERNEL_OPS]
    return bool(compute) and all(_float_tensors(graph, op) for op in compute)


def _float_tensors(graph: Graph, op: Operator) -> bool:
    return any(t >= 0 and graph.tensors[t].dtype in FLOAT_DTYPES for t in op.inputs + op.outputs)


def check_supported(graph: Graph, path: str | Path) -> None:
    """Raise FloatModelError / UnsupportedOperatorError (naming every operator) when te-gen cannot compile."""
    if is_float_model(graph):
        raise FloatModelError(
            f"{path}: float model (not quantized); convert it with full-integer int8 quantization"
        )
    problems = unsupported_operators(graph)
    if problems:
        listed = ", ".join(
            f"#{i} {kind}" + (" (float)" if why != "no runtime kernel" else "") for i, kind, why in problems
        )
        raise UnsupportedOperatorError(f"{path}: unsupported operators: {listed}")
