"""The reference: TensorFlow Lite's interpreter with its reference kernels (BUILTIN_REF).

TensorFlow is an optional extra of te-gen (``pip install tinyengine-codegen[verify]``):
it is imported only when an oracle is asked for, and :class:`OracleUnavailable` says
what to install when it is missing.

Some published models carry a ``quantized_dimension`` beyond the tensor's rank
(tflite-micro's person_detect.tflite: 3 on the 1-D biases of its depthwise
convolutions, copied from their 4-D filters), which recent interpreters refuse.
:func:`patch_quantized_dimension` rewrites that field to 0 in a copy of the flatbuffer,
in memory, where 0 is the only axis it can mean (a 1-D tensor, or a single scale), so
the model's semantics are unchanged.
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tflite

# Field 6 of the QuantizationParameters table (min, max, scale, zero_point,
# details_type, details, quantized_dimension): vtable slot 4 + 2 * 6.
_QUANTIZED_DIMENSION_SLOT = 16

INSTALL_HINT = "pip install tensorflow (the 'verify' extra of tinyengine-codegen)"


class OracleUnavailable(RuntimeError):
    """No TFLite interpreter is installed."""


@dataclass
class OracleRun:
    """One inference of the reference interpreter."""

    outputs: list[np.ndarray]
    tensors: dict[str, np.ndarray] = field(default_factory=dict)


def available() -> bool:
    """True when TensorFlow's TFLite interpreter can be imported."""
    try:
        _import_tf()
    except OracleUnavailable:
        return False
    return True


def patch_quantized_dimension(model: bytes) -> tuple[bytes, int]:
    """Return a copy of ``model`` with out-of-range ``quantized_dimension`` set to 0.

    Also returns how many tensors were patched.
    """
    data = bytearray(model)
    root = tflite.Model.GetRootAsModel(data, 0)
    patched = 0
    for s in range(root.SubgraphsLength()):
        subgraph = root.Subgraphs(s)
        for t in range(subgraph.TensorsLength()):
            tensor = subgraph.Tensors(t)
            quant = tensor.Quantization()
            if quant is None or quant.QuantizedDimension() < max(tensor.ShapeLength(), 1):
                continue
            if quant.ScaleLength() > 1 and tensor.ShapeLength() != 1:
                continue  # a real per-channel axis out of range: leave it for the reader to refuse
            offset = quant._tab.Offset(_QUANTIZED_DIMENSION_SLOT)
            struct.pack_into("<i", data, quant._tab.Pos + offset, 0)
            patched += 1
    return bytes(data), patched


class Oracle:
    """The reference interpreter loaded with one model, ready for several inferences."""

    def __init__(self, model_path: Path, preserve_all_tensors: bool = False) -> None:
        tf = _import_tf()
        content, self.patched_tensors = patch_quantized_dimension(Path(model_path).read_bytes())
        self._interpreter = tf.lite.Interpreter(
            model_content=content,
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
            experimental_preserve_all_tensors=preserve_all_tensors,
        )
        self._interpreter.allocate_tensors()
        self._preserve = preserve_all_tensors

    def input_details(self) -> list[dict]:
        """The interpreter's description of the graph inputs (name, shape, dtype)."""
        return self._interpreter.get_input_details()

    def run(self, inputs: list[np.ndarray]) -> OracleRun:
        """Run one inference; with ``preserve_all_tensors`` also return every tensor by name."""
        it = self._interpreter
        for detail, value in zip(it.get_input_details(), inputs, strict=True):
            it.set_tensor(detail["index"], np.asarray(value, dtype=detail["dtype"]).reshape(detail["shape"]))
        it.invoke()
        outputs = [it.get_tensor(d["index"]).copy() for d in it.get_output_details()]
        tensors: dict[str, np.ndarray] = {}
        if self._preserve:
            for detail in it.get_tensor_details():
                try:
                    tensors[detail["name"]] = it.get_tensor(detail["index"]).copy()
                except ValueError:  # tensors without data (optional inputs)
                    continue
        return OracleRun(outputs, tensors)


def _import_tf():
    """Import TensorFlow once, with its C++ start-up chatter on stderr silenced."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
    try:
        with _quiet_stderr():
            import tensorflow as tf
    except ImportError as exc:
        raise OracleUnavailable(f"no TFLite interpreter installed: {INSTALL_HINT}") from exc
    return tf


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to /dev/null (absl logs before Python sees anything)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
