"""Depthwise kernels alone on the emulated Cortex-M7: MACs per executed instruction by shape, kernel, stride.

Builds one bare-metal program (the kernel test harness's start-up and semihosting output) that calls
``te_depthwise_conv_inplace_s8`` (``--kernel inplace``, the default; MCUNet-like shapes of
mcunet-in0/in1 and mcunet_vww) or ``te_depthwise_conv_s8`` (``--kernel multiplier``: person_detect's and
micro_speech's depth-multiplier-8 layers) on random data, reads SysTick around each call under QEMU
``-icount`` (mcu-bench's setting: a deterministic count of emulated instructions, not board time) and
prints instructions per output and MACs per instruction (MACs count every tap, padding included, as
te-gen's analysis does). The same program built for the host (portable C path) gives a checksum of
every output: a QEMU run that disagrees is reported (bit-exactness against TFLite is the tests' job).

    .venv/bin/python benchmarks/depthwise_kernels.py [--kernel inplace|multiplier] [--source FILE.c]
        [--json OUT]

--source compiles another version of the kernel's .c file instead (before/after comparisons).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import tinyengine_runtime
from mcu_bench.runners.qemu import ICOUNT, ICOUNT_SHIFT

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = Path(tinyengine_runtime.__file__).resolve().parent / "c"
CSUPPORT = ROOT / "tests" / "runtime" / "csupport"
SYSTICK_HZ = 25_000_000  # mps2-an500, CLKSOURCE = processor clock
INSTRUCTIONS_PER_TICK = 1e9 / SYSTICK_HZ / (1 << ICOUNT_SHIFT)

# (in_h, in_w, channels, k, stride): the in-place layers of mcunet-in0, then larger maps of
# mcunet-in1 / mcunet_vww / person_detect
INPLACE = [
    (24, 24, 24, 3, 1), (24, 24, 64, 5, 2), (12, 12, 48, 3, 1), (12, 12, 80, 7, 2), (6, 6, 96, 5, 1),
    (6, 6, 120, 7, 2), (3, 3, 192, 5, 1), (3, 3, 240, 3, 1), (3, 3, 336, 3, 2), (2, 2, 448, 5, 1),
    (2, 2, 672, 3, 1), (48, 48, 16, 3, 1), (48, 48, 32, 3, 2), (24, 24, 48, 5, 1), (24, 24, 48, 7, 2),
    (12, 12, 120, 7, 1), (40, 40, 16, 3, 1), (20, 20, 48, 7, 1), (10, 10, 120, 5, 1), (6, 6, 128, 3, 1),
    (5, 5, 240, 3, 1), (5, 5, 240, 7, 1), (3, 3, 384, 5, 1), (10, 10, 144, 3, 2), (6, 6, 128, 3, 2),
    (5, 5, 240, 5, 2), (6, 6, 240, 7, 2), (24, 24, 32, 3, 2), (12, 12, 64, 3, 2), (40, 40, 48, 3, 2),
    (10, 10, 144, 7, 2), (20, 20, 48, 7, 2),
]  # fmt: skip
# (in_h, in_w, channels, k, stride, activation min): clamped activations [min, 127] (ReLU6 with the
# output zero point above -128: mcunet-in2's 5x5x384 and in3's 6x6x384 3x3 layers, larger maps)
INPLACE_CLAMPED = [
    (5, 5, 384, 3, 1, -19),
    (6, 6, 384, 3, 1, -15),
    (20, 20, 48, 3, 1, -20),
    (10, 10, 144, 3, 2, -20),
    (2, 2, 672, 3, 1, -3),
    (3, 3, 336, 3, 2, -3),
]
# (in_h, in_w, in_c, kh, kw, stride, depth multiplier)
MULTIPLIER = [(96, 96, 1, 3, 3, 2, 8), (49, 40, 1, 10, 8, 2, 8)]


def _same(n: int, k: int, s: int) -> tuple[int, int]:
    """Output size and leading padding of TFLite's SAME padding."""
    out = (n + s - 1) // s
    return out, max((out - 1) * s + k - n, 0) // 2


def _cases(kernel: str) -> list[dict]:
    cases = []
    if kernel == "inplace":
        for h, w, c, k, s in INPLACE:
            cases.append({"h": h, "w": w, "c": c, "kh": k, "kw": k, "s": s, "dm": 1})
        for h, w, c, k, s, low in INPLACE_CLAMPED:
            cases.append({"h": h, "w": w, "c": c, "kh": k, "kw": k, "s": s, "dm": 1, "act_min": low})
    else:
        for h, w, c, kh, kw, s, dm in MULTIPLIER:
            cases.append({"h": h, "w": w, "c": c, "kh": kh, "kw": kw, "s": s, "dm": dm})
    for case in cases:
        case["oh"], case["pt"] = _same(case["h"], case["kh"], case["s"])
        case["ow"], case["pl"] = _same(case["w"], case["kw"], case["s"])
        case["oc"] = case["c"] * case["dm"]
        case["outputs"] = case["oh"] * case["ow"] * case["oc"]
        case["macs"] = case["outputs"] * case["kh"] * case["kw"]
    return cases


def _program(kernel: str, cases: list[dict]) -> str:
    """One C program calling the kernel once per case, printing "R <index> <ticks> <checksum>"."""
    in_bytes = max(c["h"] * c["w"] * c["c"] for c in cases)
    out_bytes = max(c["outputs"] for c in cases)
    filt = max(c["kh"] * c["kw"] * c["oc"] for c in cases)
    chans = max(c["oc"] for c in cases)
    lines = [
        "#include <stdint.h>",
        "#include <stdio.h>",
        '#include "tinyengine/te_depthwise.h"',
        '#include "te_harness_io.h"',
        "#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)",
        "#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)",
        "#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)",
        f"static int8_t buf[{in_bytes + 64}] __attribute__((aligned(8)));",
        f"static int8_t outb[{out_bytes + 64}] __attribute__((aligned(8)));",
        "static int8_t scratch[16384] __attribute__((aligned(8)));",
        f"static int8_t filt[{filt}];",
        f"static int32_t bias[{chans}], mult[{chans}], shift[{chans}];",
        "static uint32_t seed = 12345u;",
        "static uint32_t rnd(void) { seed = seed * 1664525u + 1013904223u; return seed >> 8; }",
        "static uint32_t now(void)",
        "{",
        "#if defined(TE_HARNESS_SEMIHOSTING)",
        "    return 0xFFFFFFu - SYST_CVR;",
        "#else",
        "    return 0u;",
        "#endif",
        "}",
        "int main(void)",
        "{",
        "    char line[96];",
        "    int i;",
        "#if defined(TE_HARNESS_SEMIHOSTING)",
        "    SYST_RVR = 0xFFFFFFu; SYST_CVR = 0u; SYST_CSR = 5u;",
        "#endif",
    ]
    for i, c in enumerate(cases):
        call = (
            "te_depthwise_conv_inplace_s8(&p, &q, &in, buf, &f, filt, bias, &o, scratch)"
            if kernel == "inplace"
            else "te_depthwise_conv_s8(&p, &q, &in, buf, &f, filt, bias, &o, outb)"
        )
        result = "buf" if kernel == "inplace" else "outb"
        lines += [
            "    {",
            f"        te_depthwise_params p = {{5, -3, {c['s']}, {c['s']}, {c['pt']}, {c['pl']}, 1, 1, "
            f"{c['dm']}, {{{c.get('act_min', -128)}, 127}}}};",
            "        te_per_channel_quant q = {mult, shift};",
            f"        te_dims in = {{1, {c['h']}, {c['w']}, {c['c']}}};",
            f"        te_dims f = {{1, {c['kh']}, {c['kw']}, {c['oc']}}};",
            f"        te_dims o = {{1, {c['oh']}, {c['ow']}, {c['oc']}}};",
            "        uint32_t t0, t1, sum = 0u;",
            f"        for (i = 0; i < {c['h'] * c['w'] * c['c']}; ++i) buf[i] = (int8_t)rnd();",
            f"        for (i = 0; i < {c['kh'] * c['kw'] * c['oc']}; ++i) filt[i] = (int8_t)rnd();",
            f"        for (i = 0; i < {c['oc']}; ++i) {{",
            "            bias[i] = (int32_t)(rnd() & 0xFFFu) - 2048;",
            "            mult[i] = 0x40000000 + (int32_t)(rnd() & 0x3FFFFFFu);",
            "            shift[i] = -7 - (int32_t)(rnd() & 3u);",
            "        }",
            "        t0 = now();",
            f"        i = (int){call};",
            "        t1 = now();",
            f"        for (i = 0; i < {c['outputs']}; ++i) sum = sum * 31u + (uint8_t){result}[i];",
            f'        sprintf(line, "R {i} %lu %08lx\\n", (unsigned long)((t1 - t0) & 0xFFFFFFu), '
            "(unsigned long)sum);",
            "        te_harness_write(line);",
            "    }",
        ]
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n"


def _run(kernel: str, source: Path, work: Path) -> list[tuple[int, str, str]]:
    cases = _cases(kernel)
    prog = work / "depthwise_bench.c"
    prog.write_text(_program(kernel, cases))
    srcs = [str(prog), str(source), str(CSUPPORT / "te_harness_io.c")]
    inc = ["-I", str(RUNTIME / "include"), "-I", str(CSUPPORT)]
    flags = ["-std=c99", "-O3"]
    subprocess.run(["gcc", *flags, "-o", str(work / "host"), *srcs, *inc], check=True)
    elf = work / "m7.elf"
    cpu = ["-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-d16"]
    link = [
        "-T",
        str(CSUPPORT / "mps2_an500.ld"),
        "-nostartfiles",
        "--specs=nano.specs",
        "--specs=nosys.specs",
    ]
    startup = str(CSUPPORT / "startup_m7.c")
    arm = [
        "arm-none-eabi-gcc",
        *cpu,
        *flags,
        "-DTE_HARNESS_SEMIHOSTING",
        "-o",
        str(elf),
        *srcs,
        startup,
        *inc,
    ]
    subprocess.run([*arm, *link], check=True)
    host = subprocess.run([str(work / "host")], capture_output=True, text=True, check=True).stdout
    machine = ["-M", "mps2-an500", "-nographic", "-monitor", "none", "-serial", "none", "-icount", ICOUNT]
    semihosting = ["-semihosting-config", "enable=on,target=native"]
    qemu = subprocess.run(
        ["qemu-system-arm", *machine, *semihosting, "-kernel", str(elf)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    pattern = re.compile(r"^R (\d+) (\d+) ([0-9a-f]+)$", re.M)
    host_sums = {int(m[1]): m[3] for m in pattern.finditer(host)}
    found = pattern.finditer(qemu.stdout + qemu.stderr)
    return [(int(m[2]), m[3], host_sums.get(int(m[1]), "")) for m in found]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernel", choices=["inplace", "multiplier"], default="inplace")
    parser.add_argument("--source", type=Path, help="the kernel's .c file (default: the runtime's)")
    parser.add_argument("--json", type=Path, help="write the rows as JSON")
    args = parser.parse_args()
    name = "te_depthwise_conv_inplace_s8.c" if args.kernel == "inplace" else "te_depthwise_conv_s8.c"
    source = args.source or RUNTIME / "src" / name
    if not source.is_file():
        print(f"{source}: no such kernel source", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        runs = _run(args.kernel, source, Path(tmp))
    cases = _cases(args.kernel)
    if len(runs) != len(cases):
        print(f"QEMU printed {len(runs)} of {len(cases)} results", file=sys.stderr)
        return 1
    rows, failed = [], False
    total_macs = total_instr = 0.0
    for case, (ticks, qsum, hsum) in zip(cases, runs, strict=True):
        instr = ticks * INSTRUCTIONS_PER_TICK
        shape = f"{case['h']}x{case['w']}x{case['c']} k{case['kh']}x{case['kw']} s{case['s']} dm{case['dm']}"
        if "act_min" in case:
            shape += f" act[{case['act_min']},127]"
        rows.append(
            {
                "shape": shape,
                "macs": case["macs"],
                "instructions": round(instr),
                "instructions_per_output": round(instr / case["outputs"], 1),
                "macs_per_instruction": round(case["macs"] / instr, 3),
                "host_checksum_matches": qsum == hsum,
            }
        )
        failed |= qsum != hsum
        total_macs += case["macs"]
        total_instr += instr
        print(
            f"{shape:>28}  {case['macs']:>8} MACs  {instr:>10.0f} instr  "
            f"{instr / case['outputs']:>6.1f} instr/output  {case['macs'] / instr:.3f} MAC/instr"
            + ("" if qsum == hsum else "  QEMU != host")
        )
    summary = f"{total_macs:>8.0f} MACs  {total_instr:>10.0f} instr  {total_macs / total_instr:.3f} MAC/instr"
    print(f"{'all':>28}  {summary}")
    if args.json:
        doc = {"kernel": source.name, "source": str(source), "rows": rows}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        tmp.replace(args.json)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
