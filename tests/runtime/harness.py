"""Kernel test harness: run batches of C kernel calls on the host and on QEMU Cortex-M7.

A test describes each call as a :class:`CCase` (named numpy arrays, optional C set-up statements, a
C expression returning ``te_status``, and the name of the array to read back). :func:`run_cases`
generates ONE C program for the whole batch, compiles it once with the host gcc (``-O2``, portable
path) and once with ``arm-none-eabi-gcc -mcpu=cortex-m7 -O3`` (DSP path: ``__ARM_FEATURE_DSP`` is
set), runs the host binary and the ELF under ``qemu-system-arm -M mps2-an500`` (semihosting), and
returns each case's status and output bytes for both.

API (import with ``from .harness import ...`` inside ``tests/runtime``)::

    case = CCase(
        name="conv 8x8x3 s2",
        arrays={"input": x, "filter": w, "bias": b, "mult": m, "shift": s, "output": np.zeros(n, np.int8)},
        setup="te_conv_params p = {...}; te_per_channel_quant q = {mult, shift};",
        call="te_conv_s8(&p, &q, &in_dims, input, ..., output, scratch)",
        out="output",            # array whose bytes are returned (may be an input: in-place kernels)
        scratch_bytes=123,       # optional: declares `uint8_t scratch[123]` (8-byte aligned) in scope
        out_bytes=None,          # optional: return only the first N bytes of `out`
    )
    result = run_cases([case, ...], sources=["te_conv_s8.c"], workdir=tmp_path)
    result.host[i].data / .status / .guard_ok  and  result.qemu[i]...  (CaseOutput)
    assert_cases_match(cases, result, expected)   # host == expected bytes, qemu == host, status 0, guards

Rules of the generated program:
- Every array is a ``static`` (mutable, 8-byte aligned) local of the case's function, named as the
  dict key, with its numpy dtype mapped to a C type (int8_t, uint8_t, int16_t, int32_t, uint32_t,
  float). The names ``scratch`` and ``status`` are reserved.
- The output array and the scratch buffer are followed by 16 guard bytes (0xA5); ``guard_ok`` says
  whether the kernel left them untouched (catches writes past the end).
- ``setup`` is pasted before the call inside the case's block; ``call`` must be an expression of a type
  convertible to int (normally ``te_status``); a non-zero status is reported, not a crash.
- ``sources`` are file names in the runtime's ``c/src`` (or absolute paths); ``headers`` are included
  in order (default: the umbrella ``tinyengine/tinyengine.h``).
- ``c_dims(shape)`` gives a ``te_dims`` initializer from an NHWC shape.
- Both compilers use ``-std=c99 -Wall -Wextra -Werror -pedantic``; a compile error raises
  :class:`HarnessError` with the compiler's message.

The oracle side is ``tests/runtime/oracle.py``: ``convert(fn, [InputSpec(shape, low, high)], seed=,
per_channel_dense=)`` makes a full-integer int8 .tflite (several independent ops per model save
conversions), ``TFLiteModel(bytes)`` runs it under BUILTIN_REF with every tensor kept (``.ops`` /
``.op(name)`` give OpInfo with TensorInfo inputs/outputs: scales, zero points, constant data, and
``options`` read from the flatbuffer; ``.random_inputs(rng)``, ``.run(inputs)``), and
``patch_quantization`` moves an output's scale/zero point so fused clamps bite. Convolution-family
case builders live in ``tests/runtime/convcases.py``. TFLite's integer helpers (``quantize_multiplier``,
``per_channel_multipliers``, ``fully_connected_multiplier``, ``activation_range``, ``compute_padding``,
and the ACT_* / PADDING_* enum values of .tflite options) are in ``tests/runtime/quant.py`` (backed by
te-gen's own ``tinyengine_codegen.backend.quant``) and re-exported here.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import tinyengine_runtime

from .quant import (  # noqa: F401  (re-exported for kernel tests)
    ACT_NONE,
    ACT_RELU,
    ACT_RELU6,
    ACT_RELU_N1_TO_1,
    PADDING_SAME,
    PADDING_VALID,
    activation_range,
    compute_padding,
    fully_connected_multiplier,
    per_channel_multipliers,
    quantize_multiplier,
)

CSUPPORT = Path(__file__).resolve().parent / "csupport"
GUARD_BYTES = 16
GUARD_VALUE = 0xA5
COMMON_FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
HOST_CC = ["gcc", "-O2"]
ARM_CC = [
    "arm-none-eabi-gcc",
    "-mcpu=cortex-m7",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv5-d16",
    "-O3",
    "-ffunction-sections",
    "-fdata-sections",
]
ARM_LINK = ["-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections"]
QEMU = [
    "qemu-system-arm",
    "-M",
    "mps2-an500",
    "-nographic",
    "-monitor",
    "none",
    "-serial",
    "none",
    "-semihosting-config",
    "enable=on,target=native",
]
RUN_TIMEOUT_S = 120

_C_TYPES = {
    np.dtype(np.int8): "int8_t",
    np.dtype(np.uint8): "uint8_t",
    np.dtype(np.int16): "int16_t",
    np.dtype(np.uint16): "uint16_t",
    np.dtype(np.int32): "int32_t",
    np.dtype(np.uint32): "uint32_t",
    np.dtype(np.float32): "float",
}


class HarnessError(RuntimeError):
    """The generated program failed to compile or to run."""


@dataclass
class CCase:
    """One kernel call: data, C set-up, the call expression and the array to read back."""

    name: str
    arrays: dict[str, np.ndarray]
    call: str
    out: str
    setup: str = ""
    scratch_bytes: int = 0
    out_bytes: int | None = None  # bytes of ``out`` to return (default: the whole array)


@dataclass
class CaseOutput:
    """What one case produced: the call's status, the output bytes, whether the guards held."""

    status: int
    data: bytes
    guard_ok: bool

    def as_array(self, dtype: type = np.int8) -> np.ndarray:
        """The output bytes viewed as a flat numpy array."""
        return np.frombuffer(self.data, dtype=dtype)


@dataclass
class HarnessResult:
    """Per-case outputs of the host build and (when run) of the QEMU Cortex-M7 build."""

    host: list[CaseOutput]
    qemu: list[CaseOutput] | None
    workdir: Path


def _c_initializer(flat: np.ndarray, dtype: np.dtype) -> str:
    """The inside of an array initializer. Large byte arrays become string literals (one token
    per chunk instead of one per element: the C compilers read them many times faster)."""
    if len(flat) == 0 or not flat.any():
        return "0"
    if dtype in (np.dtype(np.int8), np.dtype(np.uint8)) and len(flat) > 64:
        raw = flat.view(np.uint8).tobytes()
        chunks = ["".join(f"\\x{b:02x}" for b in raw[i : i + 1024]) for i in range(0, len(raw), 1024)]
        return "\n" + "\n".join(f'"{c}"' for c in chunks)
    if dtype == np.float32:
        return ",".join(repr(float(v)) + "f" for v in flat)
    if dtype == np.int32:
        # INT32_MIN is not a valid literal on its own in C.
        return ",".join(f"({int(v) + 1}-1)" if int(v) == -(2**31) else str(int(v)) for v in flat)
    return ",".join(str(int(v)) for v in flat)


def _c_array(name: str, array: np.ndarray, guard: bool) -> str:
    dtype = np.dtype(array.dtype)
    if dtype not in _C_TYPES:
        raise HarnessError(f"array {name!r}: unsupported dtype {dtype}")
    flat = np.ascontiguousarray(array).reshape(-1)
    count = max(len(flat), 1)
    body = _c_initializer(flat, dtype)
    ctype = _C_TYPES[dtype]
    decl = f"    static {ctype} {name}[{count}] __attribute__((aligned(8))) = {{{body}}};\n"
    if guard:
        guard_init = ",".join([hex(GUARD_VALUE)] * GUARD_BYTES)
        decl = (
            f"    static struct {{ {ctype} data[{count}]; uint8_t guard[{GUARD_BYTES}]; }}"
            f" {name}_g __attribute__((aligned(8))) = {{{{{body}}}, {{{guard_init}}}}};\n"
            f"    {ctype} *{name} = {name}_g.data;\n"
        )
    return decl


def _case_function(index: int, case: CCase) -> str:
    if case.out not in case.arrays:
        raise HarnessError(f"case {case.name!r}: output {case.out!r} is not one of its arrays")
    lines = [f"/* case {index}: {case.name} */\n", f"static void te_case_{index}(void)\n{{\n"]
    for name, array in case.arrays.items():
        lines.append(_c_array(name, array, guard=name == case.out))
    guard_checks = [f"te_guard_ok({case.out}_g.guard)"]
    if case.scratch_bytes > 0:
        lines.append(
            f"    static struct {{ uint8_t data[{case.scratch_bytes}]; uint8_t guard[{GUARD_BYTES}]; }}"
            " scratch_g __attribute__((aligned(8)));\n"
            "    uint8_t *scratch = scratch_g.data;\n"
            f"    memset(scratch_g.guard, {GUARD_VALUE}, sizeof scratch_g.guard);\n"
        )
        guard_checks.append("te_guard_ok(scratch_g.guard)")
    nbytes = case.arrays[case.out].nbytes if case.out_bytes is None else case.out_bytes
    unused = list(case.arrays) + (["scratch"] if case.scratch_bytes > 0 else [])
    lines.append("    " + " ".join(f"(void){n};" for n in unused) + "\n")  # a call may not use them all
    lines.append("    {\n")
    if case.setup:
        lines.append("        " + case.setup.strip() + "\n")
    lines.append(f"        int status = (int)({case.call});\n")
    lines.append(
        f"        te_harness_emit({index}, status, {' && '.join(guard_checks)}, {case.out}, {nbytes}u);\n"
    )
    lines.append("    }\n}\n\n")
    return "".join(lines)


def generate_program(cases: Sequence[CCase], headers: Sequence[str]) -> str:
    """The C source of one program that runs every case in order and emits its output."""
    parts = ["/* Generated by tests/runtime/harness.py: one kernel call per case. */\n"]
    parts.append('#pragma GCC diagnostic ignored "-Woverlength-strings"\n')  # byte arrays as strings
    parts += ["#include <stdint.h>\n", "#include <string.h>\n", '#include "te_harness_io.h"\n']
    parts += [f'#include "{h}"\n' for h in headers]
    parts.append(
        "\nstatic int te_guard_ok(const uint8_t *guard)\n{\n"
        f"    int i;\n    for (i = 0; i < {GUARD_BYTES}; ++i) {{\n"
        f"        if (guard[i] != {GUARD_VALUE}u) {{\n            return 0;\n        }}\n    }}\n"
        "    return 1;\n}\n\n"
    )
    parts += [_case_function(i, c) for i, c in enumerate(cases)]
    parts.append("int main(void)\n{\n")
    parts += [f"    te_case_{i}();\n" for i in range(len(cases))]
    parts.append('    te_harness_write("TE-END\\n");\n    return 0;\n}\n')
    return "".join(parts)


def _resolve_sources(sources: Sequence[str | Path]) -> list[Path]:
    paths = []
    for s in sources:
        p = Path(s)
        if not p.is_absolute():
            p = tinyengine_runtime.source_dir() / p
        if not p.is_file():
            raise HarnessError(f"kernel source not found: {p}")
        paths.append(p)
    return paths


def _start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )


def _finish(proc: subprocess.Popen, what: str, timeout: float = RUN_TIMEOUT_S) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise HarnessError(f"{what}: timed out after {timeout} s\n{err[-4000:]}") from None
    if proc.returncode != 0:
        raise HarnessError(f"{what}: exit code {proc.returncode}\n{err[-6000:]}\n{out[-2000:]}")
    return out, err


def parse_output(text: str, count: int, what: str) -> list[CaseOutput]:
    """Parse ``TE-CASE`` lines (hex bytes) into one CaseOutput per case; requires ``TE-END``."""
    hex_parts: dict[int, list[str]] = {}
    heads: dict[int, tuple[int, bool]] = {}
    current = -1
    ended = False
    for line in text.splitlines():
        if line.startswith("TE-CASE "):
            fields = line.split(" ")
            current = int(fields[1])
            heads[current] = (int(fields[2]), fields[3] == "1")
            hex_parts[current] = [fields[4] if len(fields) > 4 else ""]
        elif line == "TE-END":
            ended = True
        elif line.startswith("TE-FAULT"):
            raise HarnessError(f"{what}: the program faulted after case {current}")
    if not ended or len(heads) != count:
        raise HarnessError(f"{what}: output incomplete ({len(heads)} of {count} cases)\n{text[-2000:]}")
    return [
        CaseOutput(status=heads[i][0], data=bytes.fromhex("".join(hex_parts[i])), guard_ok=heads[i][1])
        for i in range(count)
    ]


def run_cases(
    cases: Sequence[CCase],
    sources: Sequence[str | Path],
    *,
    headers: Sequence[str] = ("tinyengine/tinyengine.h",),
    workdir: Path | None = None,
    qemu: bool = True,
) -> HarnessResult:
    """Build the batch into one program for host and Cortex-M7, run both, return every output."""
    if not cases:
        raise HarnessError("no cases")
    program = generate_program(cases, headers)
    digest = hashlib.sha256(program.encode()).hexdigest()[:12]
    workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="te-harness-"))
    workdir.mkdir(parents=True, exist_ok=True)
    prog_c = workdir / f"cases_{digest}.c"
    prog_c.write_text(program)
    srcs = [str(p) for p in _resolve_sources(sources)]
    includes = ["-I", str(tinyengine_runtime.include_dir()), "-I", str(CSUPPORT)]
    io_c = str(CSUPPORT / "te_harness_io.c")
    host_bin = workdir / f"cases_{digest}.host"
    elf = workdir / f"cases_{digest}.elf"
    builds = [
        (
            "host gcc",
            _start(HOST_CC + COMMON_FLAGS + includes + [str(prog_c), io_c, *srcs, "-o", str(host_bin)]),
        )
    ]
    if qemu:
        arm_cmd = ARM_CC + COMMON_FLAGS + ["-DTE_HARNESS_SEMIHOSTING"] + includes
        arm_cmd += ["-T", str(CSUPPORT / "mps2_an500.ld"), str(CSUPPORT / "startup_m7.c"), io_c]
        arm_cmd += [str(prog_c), *srcs, *ARM_LINK, "-o", str(elf)]
        builds.append(("arm-none-eabi-gcc", _start(arm_cmd)))
    for what, proc in builds:
        _finish(proc, f"{what} ({prog_c})")
    runs = [("host run", _start([str(host_bin)]))]
    if qemu:
        runs.append(("qemu mps2-an500", _start(QEMU + ["-kernel", str(elf)])))
    host_out, _ = _finish(runs[0][1], runs[0][0])
    host = parse_output(host_out, len(cases), f"host run of {host_bin}")
    qemu_res = None
    if qemu:
        _, qemu_err = _finish(runs[1][1], runs[1][0])
        qemu_res = parse_output(qemu_err, len(cases), f"qemu run of {elf}")
    return HarnessResult(host=host, qemu=qemu_res, workdir=workdir)


def toolchains_available() -> list[str]:
    """Names of the required tools that are missing from PATH (empty when all are there)."""
    return [t for t in ("gcc", "arm-none-eabi-gcc", "qemu-system-arm") if shutil.which(t) is None]


def _first_difference(got: bytes, want: bytes) -> str:
    if len(got) != len(want):
        return f"length {len(got)} != {len(want)}"
    a = np.frombuffer(got, np.uint8)
    b = np.frombuffer(want, np.uint8)
    diff = np.nonzero(a != b)[0]
    i = int(diff[0])
    return (
        f"{len(diff)} of {len(a)} bytes differ, first at {i}: "
        f"{np.int8(a[i].astype(np.int8))} != {np.int8(b[i].astype(np.int8))}"
    )


def assert_cases_match(
    cases: Sequence[CCase], result: HarnessResult, expected: Sequence[np.ndarray | bytes]
) -> None:
    """Assert every case: status 0, guards intact, host == expected bytes, QEMU == host bytes."""
    failures = []
    for i, case in enumerate(cases):
        want = expected[i] if isinstance(expected[i], bytes) else np.ascontiguousarray(expected[i]).tobytes()
        runs = [("host", result.host[i])]
        if result.qemu is not None:
            runs.append(("qemu", result.qemu[i]))
        for label, out in runs:
            if out.status != 0:
                failures.append(f"[{i}] {case.name} ({label}): status {out.status}")
            elif not out.guard_ok:
                failures.append(f"[{i}] {case.name} ({label}): wrote past the output or scratch buffer")
            elif out.data != want:
                ref = "TFLite" if label == "host" else "TFLite (host matches: no)"
                if label == "qemu" and result.host[i].data == want:
                    ref = "host/TFLite"
                failures.append(f"[{i}] {case.name} ({label} vs {ref}): {_first_difference(out.data, want)}")
    assert not failures, f"{len(failures)} failing case(s):\n" + "\n".join(failures)


def c_dims(shape: Sequence[int]) -> str:
    """A ``te_dims`` initializer ``{n, h, w, c}`` from an NHWC shape (missing leading dims are 1)."""
    dims = [1] * (4 - len(shape)) + [int(s) for s in shape]
    return "{" + ", ".join(str(d) for d in dims) + "}"
