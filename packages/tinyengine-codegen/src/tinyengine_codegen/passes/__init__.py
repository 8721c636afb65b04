"""Graph passes, run in a fixed order by :func:`run_passes`.

1. ``remove_dead_ops``      operators nobody reads
2. ``fold_constants``       RESHAPE/SQUEEZE/TRANSPOSE of constants
3. ``fuse_activations``     standalone RELU/RELU6/RELU_N1_TO_1 into the producer
4. ``fold_pads``            PAD/PADV2 (zero-point value) into the next convolution
5. ``make_padding_explicit``  ``pad_top/bottom/left/right`` on every conv and pool
6. ``mark_views``           RESHAPE/SQUEEZE outputs alias their input (``options["view"]``)
7. ``remove_dead_ops``      again, after the rewrites
8. ``select_kernels``       kernel, scratch bytes and in-place flag per operator
"""

from __future__ import annotations

from tinyengine_codegen.ir.graph import Graph
from tinyengine_codegen.passes.constant_fold import fold_constants
from tinyengine_codegen.passes.dead_ops import remove_dead_ops
from tinyengine_codegen.passes.fold_pad import fold_pads
from tinyengine_codegen.passes.fuse_activation import fuse_activations
from tinyengine_codegen.passes.padding import make_padding_explicit
from tinyengine_codegen.passes.views import mark_views

__all__ = ["run_passes"]


def run_passes(graph: Graph, kernels: bool = True) -> Graph:
    """Run every pass in order on ``graph`` (in place) and return it.

    ``kernels=False`` stops before kernel selection (graph rewrites only).
    """
    remove_dead_ops(graph)
    fold_constants(graph)
    fuse_activations(graph)
    fold_pads(graph)
    make_padding_explicit(graph)
    mark_views(graph)
    remove_dead_ops(graph)
    if kernels:
        from tinyengine_codegen.passes.select_kernels import select_kernels

        select_kernels(graph)
    return graph
