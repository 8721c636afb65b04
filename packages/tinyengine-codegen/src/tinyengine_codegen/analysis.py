"""Per-operator arithmetic and storage: MACs, parameters, Flash bytes, a code-size estimate.

MACs count multiply-accumulates of convolutions, depthwise convolutions and fully connected
layers (what MCUNet's tables count; elementwise, pooling and activations are 0).
Parameters count the weight and bias elements of those layers. Weight Flash is every
constant tensor's bytes plus what the generated code stores next to them: the per-channel
requantization constants (an int32 multiplier and shift per output channel) and the tables of
te_add_table_s8. Code size is an estimate: a fixed part for the generated model's API, the
measured size of each distinct kernel, a part per call (fitted on real builds: see the constants
below).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

from tinyengine_codegen.backend.conv_layout import packed_filter_bytes
from tinyengine_codegen.backend.runtime_files import kernel_sources
from tinyengine_codegen.ir.graph import Graph, Operator

MAC_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"})
REQUANT_BYTES_PER_CHANNEL = 8  # int32 multiplier + int32 shift
ADD_TABLE_BYTES = 256 * 4  # te_add_table_s8's int32 table per ADD (backend/add_table.py)

# Code size model. The per-kernel figures are the .text of each runtime source compiled alone with
# the bench firmware's flags for the STM32F746 (arm-none-eabi-gcc -O3 -mcpu=cortex-m7 ...), measured
# by scripts/measure_kernel_sizes.py into data/kernel_code_bytes.json (a test fails when it is stale);
# the base and per-call parts were fitted on generated projects of the shared models.
KERNEL_CODE_BYTES_FILE = Path(__file__).resolve().parent / "data" / "kernel_code_bytes.json"
CODE_BASE_BYTES = 128  # invoke / input / output functions
CODE_PER_CALL_BYTES = 145  # one kernel call with its constant arguments
CODE_PER_KIND_BYTES = {  # kernels not measured yet, by operator kind
    "CONV_2D": 2000,
    "DEPTHWISE_CONV_2D": 1500,
    "FULLY_CONNECTED": 600,
    "SOFTMAX": 1400,
    "LOG_SOFTMAX": 1400,
    "MEAN": 1000,
    "AVERAGE_POOL_2D": 900,
    "MAX_POOL_2D": 700,
    "ADD": 2600,
    "SUB": 2600,
    "MUL": 1200,
}
CODE_DEFAULT_KERNEL_BYTES = 500


@functools.cache
def kernel_code_bytes() -> dict[str, int]:
    """Measured code bytes per runtime kernel (read once from ``KERNEL_CODE_BYTES_FILE``)."""
    return dict(json.loads(KERNEL_CODE_BYTES_FILE.read_text())["kernels"])


@functools.cache
def source_code_bytes() -> dict[str, int]:
    """Measured .text bytes per runtime source file (a kernel's entry sums the sources it needs)."""
    return dict(json.loads(KERNEL_CODE_BYTES_FILE.read_text())["sources"])


def conv_macs(kind: str, out_shape: tuple[int, ...], weight_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates of a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED from its shapes."""
    outputs = math.prod(out_shape)
    if kind == "FULLY_CONNECTED":
        return outputs * int(weight_shape[-1])
    per_output = int(weight_shape[1]) * int(weight_shape[2])
    return outputs * per_output * (int(weight_shape[3]) if kind == "CONV_2D" else 1)


def op_macs(graph: Graph, op: Operator) -> int:
    """Multiply-accumulates of one operator."""
    if op.kind not in MAC_OPS:
        return 0
    return conv_macs(op.kind, graph.tensors[op.outputs[0]].shape, graph.tensors[op.inputs[1]].shape)


def op_params(graph: Graph, op: Operator) -> int:
    """Weight and bias elements of one operator."""
    if op.kind not in MAC_OPS:
        return 0
    return sum(graph.tensors[t].size for t in op.inputs[1:] if t >= 0 and graph.tensors[t].is_const)


def op_weight_bytes(graph: Graph, op: Operator, seen: set[int] | None = None) -> int:
    """Flash bytes of an operator's constants (counted once when ``seen`` is shared)."""
    total = 0
    fresh = [t for t in op.inputs if t >= 0 and graph.tensors[t].is_const and (seen is None or t not in seen)]
    if seen is not None:
        seen.update(fresh)
    packed = None
    if op.kind in MAC_OPS and len(op.inputs) > 1 and op.inputs[1] in fresh:
        out_channels = int(graph.tensors[op.outputs[0]].shape[-1])
        length = math.prod(graph.tensors[op.inputs[1]].shape) // max(out_channels, 1)
        packed = packed_filter_bytes(op.kernel, out_channels, length)
    if packed is not None:  # the filter, bias and scales packed together (conv_layout)
        return packed
    for t in fresh:
        total += graph.tensors[t].nbytes
    if op.kind in MAC_OPS:
        total += REQUANT_BYTES_PER_CHANNEL * int(graph.tensors[op.outputs[0]].shape[-1])
    if op.kernel == "te_add_table_s8":
        total += ADD_TABLE_BYTES
    if op.kernel == "te_fully_connected_packed_s8" and (len(op.inputs) < 3 or op.inputs[2] < 0):
        total += 4 * int(graph.tensors[op.outputs[0]].shape[-1])  # the folded bias of a bias-less FC
    return total


def code_bytes_estimate(kernels: list[tuple[str, str | None]]) -> int:
    """Estimated code Flash from the (kind, kernel) of every operator that runs code.

    A base for the model's API, each distinct kernel's measured size (or its kind's), every runtime
    source file counted once (kernels defined in the same file, or sharing one such as te_pair.c,
    do not pay for it twice), one call per operator (views run no code and are left out by the
    caller).
    """
    first_kind: dict[str, str] = {}
    for kind, kernel in kernels:
        first_kind.setdefault(kernel or kind, kind)
    measured, per_source = kernel_code_bytes(), source_code_bytes()
    sources: set[str] = set()
    per_kernel = 0
    for kernel, kind in first_kind.items():
        if measured.get(kernel):
            sources.update(_sources_of(kernel))
        else:
            per_kernel += CODE_PER_KIND_BYTES.get(kind, CODE_DEFAULT_KERNEL_BYTES)
    per_kernel += sum(per_source.get(name, 0) for name in sources)
    return CODE_BASE_BYTES + per_kernel + CODE_PER_CALL_BYTES * len(kernels)


@functools.cache
def _sources_of(kernel: str) -> tuple[str, ...]:
    """The runtime files a kernel needs (just its name when it is no runtime kernel)."""
    try:
        return tuple(p.name for p in kernel_sources({kernel}))
    except FileNotFoundError:
        return (kernel,)


def graph_code_bytes_estimate(graph: Graph) -> int:
    """:func:`code_bytes_estimate` of a graph after the passes."""
    return code_bytes_estimate([(op.kind, op.kernel) for op in graph.operators if not op.options.get("view")])
