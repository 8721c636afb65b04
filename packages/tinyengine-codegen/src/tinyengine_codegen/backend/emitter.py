"""The C emitter's core: what one operator contributes to the generated model source.

An operator emitter (one per runtime kernel, in ``ops_*.py``) receives an
:class:`EmitContext` and returns the C expression that calls its kernel. Through the
context it declares what the call needs: constant arrays (weights, biases,
multipliers: they go to ``<prefix>_weights.c``, in Flash), small parameter structs
(``static const`` in the model source, next to the operator's comment) and pointers
into the arena (one macro per tensor, named ``T<index>``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tinyengine_codegen.backend.cwriter import C_TYPES, CArray, struct_literal
from tinyengine_codegen.backend.quant import activation_range
from tinyengine_codegen.ir.graph import Graph, Operator


class EmitError(ValueError):
    """The graph asks for something the runtime kernel cannot do."""


@dataclass(frozen=True)
class ArenaLayout:
    """Where every activation and scratch buffer lives in the arena."""

    arena_bytes: int
    tensor_offsets: dict[int, int]
    scratch_offsets: dict[int, int]
    schedule: list[int]


@dataclass
class OpCode:
    """What one operator adds to the model source."""

    op_index: int
    comment: str
    declarations: list[str]
    call: str | None
    output_tensors: list[int]


@dataclass
class EmitContext:
    """Shared state while emitting one model: the graph, the arena layout, the constants so far."""

    graph: Graph
    layout: ArenaLayout
    arrays: list[CArray] = field(default_factory=list)
    _array_names: dict[tuple[int, str], str] = field(default_factory=dict)
    _declarations: list[str] = field(default_factory=list)
    used_tensors: set[int] = field(default_factory=set)
    headers: set[str] = field(default_factory=set)

    # -- arena -----------------------------------------------------------------------------
    def tensor(self, index: int) -> str:
        """The pointer macro of an activation tensor (``T12``)."""
        if index not in self.layout.tensor_offsets:
            raise EmitError(f"tensor {index} {self.graph.tensors[index].name!r} has no place in the arena")
        self.used_tensors.add(index)
        return f"T{index}"

    def offset(self, index: int) -> int:
        """Arena offset of an activation tensor."""
        return self.layout.tensor_offsets[index]

    def scratch(self, op_index: int, nbytes: int) -> str:
        """The scratch pointer of an operator (NULL when it needs none)."""
        if nbytes <= 0:
            return "NULL"
        if op_index not in self.layout.scratch_offsets:
            raise EmitError(f"operator {op_index} needs {nbytes} bytes of scratch but has none")
        return f"(void *)&arena[{self.layout.scratch_offsets[op_index]}]"

    # -- constants -------------------------------------------------------------------------
    def array(
        self,
        op_index: int,
        role: str,
        ctype: str,
        values: np.ndarray,
        comment: str = "",
        key: tuple[int, str] | None = None,
    ) -> str:
        """Register a constant array (Flash) and return its name ``op<i>_<role>``.

        ``key`` (a tensor index and a role) shares one array between operators using the same tensor.
        """
        if key is not None and key in self._array_names:
            return self._array_names[key]
        name = f"op{op_index}_{role}"
        self.arrays.append(CArray(name, ctype, np.asarray(values).reshape(-1), comment))
        if key is not None:
            self._array_names[key] = name
        return name

    def const_tensor(self, op_index: int, role: str, tensor_index: int, comment: str = "") -> str:
        """A constant tensor of the graph (weights, bias) as a Flash array; NULL for -1."""
        if tensor_index < 0:
            return "NULL"
        tensor = self.graph.tensors[tensor_index]
        if tensor.data is None:
            raise EmitError(f"constant tensor {tensor_index} {tensor.name!r} has no values")
        ctype = C_TYPES[tensor.dtype]
        text = comment or f"{tensor.name}: {'x'.join(map(str, tensor.shape))} {tensor.dtype}"
        return self.array(op_index, role, ctype, tensor.data, text, key=(tensor_index, role))

    def struct(self, op_index: int, role: str, ctype: str, fields: dict[str, object]) -> str:
        """A ``static const`` struct next to the operator; returns ``&op<i>_<role>``."""
        name = f"op{op_index}_{role}"
        self._declarations.append(f"static const {ctype} {name} = {struct_literal(fields)};")
        return f"&{name}"

    def struct_array(self, op_index: int, role: str, ctype: str, items: list[object]) -> str:
        """A ``static const`` array of structs (dicts) or pointers (strings); returns its name."""
        name = f"op{op_index}_{role}"
        body = ",\n".join(
            "    " + (item if isinstance(item, str) else struct_literal(item, indent="        "))
            for item in items
        )
        self._declarations.append(f"static const {ctype} {name}[{len(items)}] = {{\n{body}\n}};")
        return name

    def dims(self, op_index: int, role: str, shape: tuple[int, ...]) -> str:
        """A ``te_dims`` of a shape right-aligned into NHWC; returns ``&op<i>_<role>``."""
        n, h, w, c = nhwc(shape)
        name = f"op{op_index}_{role}"
        self._declarations.append(f"static const te_dims {name} = {{{n}, {h}, {w}, {c}}};")
        return f"&{name}"

    def take_declarations(self) -> list[str]:
        """The declarations made since the last call."""
        out, self._declarations = self._declarations, []
        return out


def nhwc(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Right-align a shape of rank <= 4 into (n, h, w, c)."""
    if len(shape) > 4:
        raise EmitError(f"shape {shape} has more than 4 dimensions")
    full = (1,) * (4 - len(shape)) + tuple(int(d) for d in shape)
    return full  # type: ignore[return-value]


OpEmitter = Callable[[EmitContext, int, Operator], str | None]
EMITTERS: dict[str, OpEmitter] = {}
KERNEL_HEADERS: dict[str, str] = {}


def emitter(*kernels: str, header: str) -> Callable[[OpEmitter], OpEmitter]:
    """Register an operator emitter for runtime kernels declared in ``header``."""

    def register(fn: OpEmitter) -> OpEmitter:
        for kernel in kernels:
            EMITTERS[kernel] = fn
            KERNEL_HEADERS[kernel] = header
        return fn

    return register


def emit_operator(ctx: EmitContext, op_index: int) -> OpCode:
    """The code of one operator of the schedule."""
    op = ctx.graph.operators[op_index]
    if op.kernel is not None and op.kernel not in EMITTERS:
        raise EmitError(f"operator {op_index} {op.kind}: no emitter for kernel {op.kernel}")
    call = EMITTERS[op.kernel](ctx, op_index, op) if op.kernel else None
    if op.kernel:
        ctx.headers.add(KERNEL_HEADERS[op.kernel])
    return OpCode(op_index, describe(ctx.graph, op_index), ctx.take_declarations(), call, list(op.outputs))


def describe(graph: Graph, op_index: int) -> str:
    """One-line summary for the comment above an operator: index, kind, kernel, shapes."""
    op = graph.operators[op_index]

    def shape(t: int) -> str:
        tensor = graph.tensors[t]
        return "x".join(map(str, tensor.shape)) + f" {tensor.dtype}"

    acts = [t for t in op.inputs if t >= 0 and not graph.tensors[t].is_const]
    ins = ", ".join(shape(t) for t in acts)
    outs = ", ".join(shape(t) for t in op.outputs)
    kernel = op.kernel or "view: no code"
    text = f"op {op_index}: {op.kind} ({kernel}) {ins} -> {outs}"
    if "patch" in op.options:  # patch-based inference (passes/patch.py)
        text += f", patch {op.options['patch']}" + (f": {op.options['role']}" if "role" in op.options else "")
    return text


def fused_activation(ctx: EmitContext, op: Operator) -> dict[str, int]:
    """The operator's fused activation as a te_activation clamp in the output's quantized domain."""
    scale, zp = quant_of(ctx.graph, op.outputs[0])
    lo, hi = activation_range(op.options.get("fused_activation", "NONE"), scale, zp)
    return {"min": lo, "max": hi}


def nhwc_io(ctx: EmitContext, i: int, op: Operator) -> list[str]:
    """``input_dims, input, output_dims, output`` arguments of an NHWC kernel."""
    src, dst = op.inputs[0], op.outputs[0]
    g = ctx.graph
    return [ctx.dims(i, "input_dims", g.tensors[src].shape), ctx.tensor(src),
            ctx.dims(i, "output_dims", g.tensors[dst].shape), ctx.tensor(dst)]  # fmt: skip


def quant_of(graph: Graph, tensor_index: int) -> tuple[float, int]:
    """(scale, zero_point) of a per-tensor quantized tensor."""
    q = graph.tensors[tensor_index].quant
    if q is None:
        raise EmitError(f"tensor {tensor_index} {graph.tensors[tensor_index].name!r} is not quantized")
    return q.scale[0], q.zero_point[0]
