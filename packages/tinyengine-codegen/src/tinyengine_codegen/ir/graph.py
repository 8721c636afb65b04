"""Graph IR: tensors with shape, dtype and quantization; operators in a schedule.

Every frontend (TFLite flatbuffer, netspec) produces a :class:`Graph`; every pass
and the memory planner read and annotate it; backends emit code from it.

Conventions:
- Activation shapes are NHWC (rank 1..4 as in the source model), batch 1.
- ``Tensor.data`` holds constant values (weights, biases) as numpy arrays; it is
  ``None`` for activations and for constants of a weightless netspec graph.
- ``Operator.kind`` is the TFLite builtin name (``"CONV_2D"``, ``"ADD"``...).
- ``Operator.options`` holds the operator's attributes with TFLite's meaning, in
  snake_case (``stride_h``, ``padding`` = ``"SAME"``/``"VALID"``,
  ``fused_activation`` = ``"NONE"``/``"RELU"``/``"RELU6"``/``"RELU_N1_TO_1"``, ...).
- Passes fill ``Operator.kernel`` (the runtime kernel chosen), ``scratch_bytes``
  and ``inplace`` (output may share the input's memory); the planner reads them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DTYPE_BYTES = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8, "float32": 4, "bool": 1}


@dataclass
class Quantization:
    """Affine quantization: real = scale * (q - zero_point), per tensor or per channel."""

    scale: list[float]
    zero_point: list[int]
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    """A tensor of the graph: an activation, a constant, or a graph input/output."""

    name: str
    shape: tuple[int, ...]
    dtype: str = "int8"
    quant: Quantization | None = None
    data: np.ndarray | None = None
    is_const: bool = False

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(int(d) for d in self.shape)  # exact ints; numpy's prod is slow here

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self.size * DTYPE_BYTES[self.dtype]


@dataclass
class Operator:
    """One operator of the schedule: inputs and outputs are tensor indices."""

    kind: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    kernel: str | None = None
    scratch_bytes: int = 0
    inplace: bool = False


@dataclass
class Graph:
    """A whole network: tensors, operators in execution order, graph inputs and outputs."""

    tensors: list[Tensor]
    operators: list[Operator]
    inputs: list[int]
    outputs: list[int]
    name: str = "model"
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def producer(self, tensor_index: int) -> int | None:
        """Index of the operator writing a tensor, or None for inputs and constants."""
        for op_index, op in enumerate(self.operators):
            if tensor_index in op.outputs:
                return op_index
        return None

    def consumers(self, tensor_index: int) -> list[int]:
        """Indices of the operators reading a tensor."""
        return [i for i, op in enumerate(self.operators) if tensor_index in op.inputs]

    def activations(self) -> list[int]:
        """Indices of non-constant tensors (those the arena must hold)."""
        return [i for i, t in enumerate(self.tensors) if not t.is_const]
