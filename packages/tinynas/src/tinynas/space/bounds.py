"""Cheap lower bounds of what te-gen's profile reports, to skip candidates that cannot fit.

Every activation is in the arena when it is written; a 1x1 convolution's output may overlap
its dying input (te-gen's overlapped buffers), so only the larger of the two counts, but a
residual block's input stays live until its ADD and adds to both 1x1 convolutions; depthwise
convolutions may run in place. The graph input is left out, in case it lives outside the arena.
Flash holds at least the int8 weights. A candidate whose bound already exceeds a budget cannot
fit and is rejected without running the planner; every other candidate is priced by te-gen.
So the fitting candidates (and their MACs) are exactly those that pricing every candidate
finds (tests/nas/test_space.py checks the bounds against te-gen on random networks).
"""

from __future__ import annotations

from tinyengine_codegen.frontend.netspec import NetSpec
from tinynas.model import same_out_size


def lower_bounds(spec: NetSpec) -> tuple[int, int]:
    """(arena bytes, Flash bytes) that te-gen's profile of ``spec`` cannot go below."""
    h, w = (same_out_size(s, spec.stem_stride) for s in spec.resolution)
    k, cin = spec.stem_kernel_size, spec.stem_channels
    peak = h * w * cin
    weights = k * k * spec.in_channels * cin
    for b in spec.blocks:
        block_in = h * w * cin
        hidden = cin * b.expand_ratio
        residual = b.stride == 1 and cin == b.out_channels
        if b.expand_ratio != 1:
            # 1x1 expansion: input and output live (the output may overlap a dying input: te-gen)
            peak = max(peak, (block_in if residual else 0) + h * w * hidden)
            weights += cin * hidden
        dw_in = h * w * hidden
        h, w = same_out_size(h, b.stride), same_out_size(w, b.stride)
        dw_out, out = h * w * hidden, h * w * b.out_channels
        peak = max(peak, dw_in, dw_out)  # depthwise may run in place
        keep = block_in if residual and b.expand_ratio != 1 else 0
        peak = max(peak, max(dw_out, out) + keep)  # 1x1 projection, overlapped (+ the residual input)
        weights += b.kernel_size * b.kernel_size * hidden + hidden * b.out_channels
        cin = b.out_channels
    if spec.mix_channels:
        peak = max(peak, h * w * max(cin, spec.mix_channels))
        weights += cin * spec.mix_channels
    weights += spec.last_channels * spec.num_classes
    return peak, weights
