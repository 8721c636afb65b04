"""The non-convolution kernels refuse what they cannot do (TE_ERROR_ARGUMENT), touching nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .harness import CCase, assert_cases_match, run_cases
from .opcalls import SOURCES

# (name, set-up, call): each call must return TE_ERROR_ARGUMENT and leave `out` as it was.
REFUSALS = [
    ("transpose repeated axis", "te_shape s = {3, {2, 2, 2}}; const int32_t perm[] = {0, 1, 1};",
     "te_transpose_s8(in, &s, perm, out)"),
    ("transpose rank 6", "te_shape s = {6, {1, 1, 1, 1, 1}}; const int32_t perm[] = {0, 1, 2, 3, 4, 5};",
     "te_transpose_s8(in, &s, perm, out)"),
    ("strided slice stride 0", "te_shape s = {1, {8}}; te_strided_slice_params p = {{0}, {4}, {0}};",
     "te_strided_slice_s8(in, &s, &p, out)"),
    ("strided slice out of range", "te_shape s = {1, {8}}; te_strided_slice_params p = {{2}, {12}, {3}};",
     "te_strided_slice_s8(in, &s, &p, out)"),
    ("pad negative", "te_shape s = {1, {8}}; te_pad_params p = {{-1}, {0}, 0};",
     "te_pad_s8(in, &s, &p, out)"),
    ("pad value out of int8", "te_shape s = {1, {8}}; te_pad_params p = {{1}, {0}, 300};",
     "te_pad_s8(in, &s, &p, out)"),
    ("avgpool empty window", "te_pool_params p = {1, 1, 1, 1, 3, 0, {-128, 127}};"
     " te_dims di = {1, 1, 8, 1}; te_dims dout = {1, 1, 8, 1};", "te_avgpool_s8(&p, &di, in, &dout, out)"),
    ("maxpool channel mismatch", "te_pool_params p = {1, 1, 1, 1, 0, 0, {-128, 127}};"
     " te_dims di = {1, 2, 2, 2}; te_dims dout = {1, 2, 2, 1};", "te_maxpool_s8(&p, &di, in, &dout, out)"),
    ("resize batch mismatch", "te_resize_params p = {0, 0};"
     " te_dims di = {2, 2, 2, 1}; te_dims dout = {1, 2, 2, 1};",
     "te_resize_nearest_s8(&p, &di, in, &dout, out)"),
    ("mean empty", "te_mean_params p = {0, 0, 1 << 30, 0}; te_dims di = {1, 0, 2, 2};",
     "te_mean_hw_s8(&p, &di, in, out)"),
    ("softmax depth 0", "te_softmax_params p = {1 << 30, 20, -100};", "te_softmax_s8(&p, 1, 0, in, out)"),
    ("hard swish positive output exponent", "te_hard_swish_params p = {0, 0, 16384, 0, 16384, 1};",
     "te_hard_swish_s8(&p, in, 8, out)"),
    ("quantize zero scale", "", "te_quantize_f32_s8((const float *)(const void *)in, 2, 0.0f, 0, out)"),
    ("concatenation no input", "const int8_t *const ins[] = {in}; const int32_t sizes[] = {8};",
     "te_concatenation_s8(ins, sizes, 0, 1, 1, NULL, out)"),
    ("reshape negative size", "", "te_reshape_s8(in, out, -1)"),
]  # fmt: skip


def test_kernels_refuse_bad_arguments(build_dir: Path) -> None:
    untouched = np.full(8, 7, np.int8)
    cases = [
        CCase(
            name=name,
            arrays={"in": np.arange(8, dtype=np.int8), "out": untouched.copy()},
            setup=setup,
            call=f"({call}) == TE_ERROR_ARGUMENT ? 0 : 1",
            out="out",
        )
        for name, setup, call in REFUSALS
    ]
    sources = sorted({s for files in SOURCES.values() for s in files})
    result = run_cases(cases, sources, workdir=build_dir)
    assert_cases_match(cases, result, [untouched] * len(cases))
