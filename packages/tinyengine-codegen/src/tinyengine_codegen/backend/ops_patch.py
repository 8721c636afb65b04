"""Emitter of PATCH_COPY (patch-based inference): a block of rows between row-strided buffers.

The copy is a small static function of the generated model source (:data:`PATCH_COPY_C`), not a
runtime kernel: it gathers a patch's input region from the image, crops a region, and scatters
a patch's output into the stage's output tensor (see ``passes/patch.py``).
"""

from __future__ import annotations

from tinyengine_codegen.backend.emitter import EmitContext, EmitError, emitter
from tinyengine_codegen.ir.graph import Graph, Operator
from tinyengine_codegen.passes.patch import PATCH_COPY_KERNEL

GENERATED_KERNELS = frozenset({PATCH_COPY_KERNEL})  # defined in the model source, not the runtime

PATCH_COPY_C = """/* Patch-based inference: copy `rows` rows of `row_bytes` bytes between two buffers whose
 * rows are `dst_stride` and `src_stride` bytes apart (gather a patch's input region from the
 * image, crop a region, scatter a patch's output into the stage's output). */
static te_status patch_copy(int8_t *dst, size_t dst_stride, const int8_t *src, size_t src_stride, size_t rows,
                            size_t row_bytes)
{
    size_t r;
    size_t i;
    for (r = 0; r < rows; ++r) {
        for (i = 0; i < row_bytes; ++i) {
            dst[i] = src[i];
        }
        dst += dst_stride;
        src += src_stride;
    }
    return TE_OK;
}
"""


def helper_source(graph: Graph, schedule: list[int]) -> str:
    """The static helpers the model source needs (empty when no operator uses one)."""
    used = any(graph.operators[i].kernel == PATCH_COPY_KERNEL for i in schedule)
    return PATCH_COPY_C if used else ""


def _bytes(ctx: EmitContext, tensor: int) -> str:
    name = ctx.tensor(tensor)
    return name if ctx.graph.tensors[tensor].dtype in ("int8", "uint8") else f"(int8_t *)(void *){name}"


@emitter(PATCH_COPY_KERNEL, header="te_types.h")
def emit_patch_copy(ctx: EmitContext, i: int, op: Operator) -> str:
    """PATCH_COPY; with two inputs the output is the second one updated in place (a scatter)."""
    src, dst = op.inputs[0], op.outputs[0]
    if len(op.inputs) > 1 and ctx.offset(op.inputs[1]) != ctx.offset(dst):
        raise EmitError(
            f"operator {i} PATCH_COPY: the scatter's output is not placed on the tensor it updates"
        )
    o = op.options
    return (
        f"patch_copy({_bytes(ctx, dst)} + {o['dst_offset']}, {o['dst_row_bytes']}, "
        f"{_bytes(ctx, src)} + {o['src_offset']}, {o['src_row_bytes']}, {o['rows']}, {o['row_bytes']})"
    )
