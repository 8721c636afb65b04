"""The kernel test harness itself: outputs, statuses and buffer-overrun guards on host and QEMU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .harness import CCase, HarnessError, HarnessResult, assert_cases_match, parse_output, run_cases


def test_harness_reports_bytes_status_and_overruns(build_dir: Path) -> None:
    data = np.array([-128, -1, 0, 1, 127], np.int8)
    cases = [
        CCase("copy", {"src": data, "dst": np.zeros(5, np.int8)}, "(memcpy(dst, src, 5), 0)", out="dst"),
        CCase("status", {"dst": np.zeros(2, np.int32)}, "(dst[1] = -2147483647 - 1, -2)", out="dst"),
        CCase("overrun", {"dst": np.zeros(3, np.int8)}, "(dst[3] = 1, 0)", out="dst"),
        CCase(
            "scratch overrun",
            {"dst": np.zeros(1, np.uint8)},
            "(scratch[8] = 1, 0)",
            out="dst",
            scratch_bytes=8,
        ),
        CCase("prefix", {"buf": np.arange(6, dtype=np.int16)}, "0", out="buf", out_bytes=4),
    ]
    result = run_cases(cases, [], headers=[], workdir=build_dir)
    assert result.qemu is not None
    for run in (result.host, result.qemu):
        assert [o.status for o in run] == [0, -2, 0, 0, 0]
        assert run[0].data == data.tobytes()
        assert run[1].as_array(np.int32).tolist() == [0, -(2**31)]
        assert [o.guard_ok for o in run] == [True, True, False, False, True]
        assert run[4].as_array(np.int16).tolist() == [0, 1]
    assert_cases_match(cases[:1], result, [data])
    with pytest.raises(AssertionError, match="wrote past"):
        overrun = HarnessResult(host=[result.host[2]], qemu=None, workdir=build_dir)
        assert_cases_match(cases[2:3], overrun, [np.zeros(3, np.int8)])
    with pytest.raises(AssertionError, match="1 of 5 bytes differ"):
        assert_cases_match(cases[:1], result, [np.array([-128, -1, 0, 1, 126], np.int8)])


def test_harness_refuses_compile_errors_and_incomplete_output(build_dir: Path) -> None:
    bad = CCase("bad", {"x": np.zeros(1, np.int8)}, "undefined_kernel(x)", out="x")
    with pytest.raises(HarnessError, match="host gcc"):
        run_cases([bad], [], headers=[], workdir=build_dir, qemu=False)
    with pytest.raises(HarnessError, match="incomplete"):
        parse_output("TE-CASE 0 0 1 00\n", 2, "test")
