"""The convolution-family kernels refuse shapes they do not support, with a status, not a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tinyengine_codegen.backend.conv_layout import pack_conv_filter

from .convcases import HEADERS, SOURCES
from .harness import CCase, run_cases

TE_OK, TE_ERROR_ARGUMENT, TE_ERROR_SCRATCH = 0, -1, -2

CONV_SETUP = (
    "te_conv_params p = {0, 0, @S, @S, @PAD, @PAD, 1, 1, {-128, 127}};"
    " int32_t m[8] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};"
    " int32_t sh[8] = {0}; te_per_channel_quant q = {m, sh};"
    " te_dims in_d = {1, 4, 4, @CIN}; te_dims f_d = {8, @K, @K, @FC}; te_dims out_d = {1, @OH, @OH, 8};"
)
DW_SETUP = (
    "te_depthwise_params p = {0, 0, 1, 1, 0, 0, 1, 1, @MULT, {-128, 127}};"
    " int32_t m[8] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};"
    " int32_t sh[8] = {0}; te_per_channel_quant q = {m, sh};"
    " te_dims in_d = {@N, 4, 4, 4}; te_dims f_d = {1, 3, 3, @FC}; te_dims out_d = {@N, 2, 2, @FC};"
)


def _conv(name: str, kernel: str, want: int, scratch: str = "scratch", **dims: int) -> tuple[CCase, int]:
    values = {"S": 1, "PAD": 0, "CIN": 3, "K": 3, "FC": 3, "OH": 2} | dims
    setup = CONV_SETUP
    for key, value in values.items():
        setup = setup.replace("@" + key, str(value))
    arrays = {"x": np.zeros(96, np.int8), "w": np.zeros(8 * 81, np.int8), "y": np.zeros(512, np.int8)}
    if kernel == "te_conv_s8":
        call = f"{kernel}(&p, &q, &in_d, x, &f_d, w, NULL, &out_d, y, {scratch})"
    else:  # the packed kernels: bias and scales inside the filter (zero weights and biases, packed)
        k, fc = values["K"], values["FC"]
        packed = pack_conv_filter(np.zeros((8, k, k, fc), np.int8), None, np.full(8, 2**30), np.zeros(8))
        arrays["w"] = np.concatenate([packed, np.zeros(max(0, arrays["w"].size - packed.size), np.int8)])
        call = f"((void)q, {kernel}(&p, &in_d, x, &f_d, w, &out_d, y, {scratch}))"
    return CCase(name, arrays, call, out="y", setup=setup, scratch_bytes=2048), want


def _depthwise(name: str, kernel: str, want: int, scratch: str = "scratch", **dims: int) -> tuple[CCase, int]:
    values = {"MULT": 1, "N": 1, "FC": 4} | dims
    setup = DW_SETUP
    for key, value in values.items():
        setup = setup.replace("@" + key, str(value))
    arrays = {"x": np.zeros(256, np.int8), "w": np.zeros(72, np.int8), "y": np.zeros(256, np.int8)}
    if kernel.endswith("inplace_s8"):
        call = f"{kernel}(&p, &q, &in_d, x, &f_d, w, NULL, &out_d, {scratch})"
    else:
        call = f"{kernel}(&p, &q, &in_d, x, &f_d, w, NULL, &out_d, y)"
    return CCase(name, arrays, call, out="y", setup=setup, scratch_bytes=2048), want


def _fully_connected(name: str, batches: int, want: int) -> tuple[CCase, int]:
    setup = (
        "te_fully_connected_params p = {0, 0, 0, {-128, 127}}; te_per_tensor_quant q = {1 << 30, 0};"
        f" te_fully_connected_dims d = {{{batches}, 4, 2}};"
    )
    arrays = {"x": np.zeros(8, np.int8), "w": np.zeros(8, np.int8), "y": np.zeros(8, np.int8)}
    return CCase(name, arrays, "te_fully_connected_s8(&p, &q, &d, x, w, NULL, y)", out="y", setup=setup), want


def test_kernels_return_a_status_for_unsupported_arguments(build_dir: Path) -> None:
    checks = [
        _conv("conv ok", "te_conv_s8", TE_OK),
        _conv("conv filter channels differ from input", "te_conv_s8", TE_ERROR_ARGUMENT, FC=2),
        _conv("conv without scratch", "te_conv_s8", TE_ERROR_SCRATCH, scratch="NULL"),
        _conv("conv stride 0", "te_conv_s8", TE_ERROR_ARGUMENT, S=0),
        _conv("1x1 ok", "te_conv_1x1_s8", TE_OK, K=1, OH=4),
        _conv("1x1 with padding", "te_conv_1x1_s8", TE_ERROR_ARGUMENT, K=1, OH=4, PAD=1),
        _conv("1x1 output larger than input", "te_conv_1x1_s8", TE_ERROR_ARGUMENT, K=1, OH=5),
        _conv("1x1 on a 3x3 filter", "te_conv_1x1_s8", TE_ERROR_ARGUMENT),
        _conv("im2col ok", "te_conv_im2col_s8", TE_OK),
        _conv("im2col filter channels differ from input", "te_conv_im2col_s8", TE_ERROR_ARGUMENT, FC=4),
        _conv("im2col window over 128 taps", "te_conv_im2col_s8", TE_ERROR_ARGUMENT, CIN=15, FC=15),
        _conv("im2col without scratch", "te_conv_im2col_s8", TE_ERROR_SCRATCH, scratch="NULL"),
        _conv("im2col rows ok", "te_conv_im2col_rows_s8", TE_OK, CIN=4, FC=4),
        _conv("im2col rows of 9 bytes", "te_conv_im2col_rows_s8", TE_ERROR_ARGUMENT),
        _depthwise("depthwise ok", "te_depthwise_conv_s8", TE_OK),
        _depthwise("depthwise channels != input x mult", "te_depthwise_conv_s8", TE_ERROR_ARGUMENT, FC=6),
        _depthwise("depthwise multiplier 2", "te_depthwise_conv_s8", TE_OK, MULT=2, FC=8),
        _depthwise("in-place ok", "te_depthwise_conv_inplace_s8", TE_OK),
        _depthwise("in-place multiplier 2", "te_depthwise_conv_inplace_s8", TE_ERROR_ARGUMENT, MULT=2, FC=8),
        _depthwise("in-place batch 2", "te_depthwise_conv_inplace_s8", TE_ERROR_ARGUMENT, N=2),
        _depthwise("in-place no scratch", "te_depthwise_conv_inplace_s8", TE_ERROR_SCRATCH, scratch="NULL"),
        _fully_connected("fc ok", 2, TE_OK),
        _fully_connected("fc no batch", 0, TE_ERROR_ARGUMENT),
    ]
    cases = [c for c, _ in checks]
    result = run_cases(cases, SOURCES, headers=HEADERS, workdir=build_dir)
    assert result.qemu is not None
    for run in (result.host, result.qemu):
        got = {c.name: out.status for c, out in zip(cases, run, strict=True)}
        assert got == {c.name: want for c, want in checks}
        assert all(out.guard_ok for out in run)
