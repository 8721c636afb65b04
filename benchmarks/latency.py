"""Latency on the emulated Cortex-M7: MACs per executed instruction, per model and per operator type.

For each model (the shared .tflite models and MCUNet zoo exports with random weights, cached like
``benchmarks/memory_zoo.py`` does), te-gen builds a cortex-m7 project (layer by layer) and:

- ``mcu-bench run --board stm32f746 --runner qemu`` (stm32h743, the same core, for the models the F746
  cannot hold: mcunet-in3/in4) runs it on QEMU's Cortex-M7 (``-icount``: the
  SysTick count is a deterministic count of EMULATED INSTRUCTIONS, not board time): instructions per
  inference, output check against the golden vectors, Flash from the ELF;
- a second firmware of the same project with the generated code's ``TE_PROFILE_OP(op)`` hook
  defined (it reads the same counter before every kernel and prints the trace over semihosting)
  gives the instructions of every operator, summed per operator type (kind and kernel);
- code size: Flash minus the model's weights and the bench's golden data, and the bytes of the
  model's and runtime's functions alone (``te_*`` and ``<prefix>_*`` symbols of the ELF);
- next to an earlier result (``--before``, default benchmarks/latency_before.json, committed: the
  kernels before issue 7's speed work), so that the gain per model and per operator type shows.
Issue 7's targets: 1.0 MAC per instruction on MCUNet-style models (``meets_mac_target``), code
under 40 kB (``code_under_40kB``; the exit status is 1 when a model's code or output check fails).

Prints the tables and writes benchmarks/results/latency.json.

    .venv/bin/python benchmarks/latency.py [--models person_detect,mcunet-in0,...] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import write_results  # noqa: E402 (benchmarks/_results.py)
from elftools.elf.elffile import ELFFile  # noqa: E402
from memory_zoo import CACHE, export_zoo  # noqa: E402 (the cached zoo exports)

from mcu_bench import firmware  # noqa: E402
from mcu_bench.boards import find_board  # noqa: E402
from mcu_bench.build import board_layout, build_cortexm  # noqa: E402
from mcu_bench.project import load_project  # noqa: E402
from mcu_bench.runners.qemu import instructions_per_tick, qemu_base_command  # noqa: E402
from tinyengine_codegen.analysis import op_macs  # noqa: E402
from tinyengine_codegen.backend.build import build_project, compile_model  # noqa: E402
from tinyengine_codegen.backend.emitter import describe  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "latency.json"
BEFORE = ROOT / "benchmarks" / "latency_before.json"  # the kernels before issue 7's speed work
SHARED = Path("/work/shared/models")
SHARED_MODELS = ["person_detect", "mcunet_vww", "mnist_lenet_300_100", "micro_speech", "hello_world_int8"]
ZOO_MODELS = ["mcunet-in0", "mcunet-in1", "mcunet-in2", "mcunet-in3", "mcunet-in4"]
BOARD = "stm32f746"
LARGE_BOARD = "stm32h743"  # same Cortex-M7 core, 1 MB SRAM / 2 MB Flash: models the F746 cannot hold
CODE_LIMIT = 40 * 1024
TARGET_MACS_PER_INSTRUCTION = 1.0
KB = 1024

# The profiling hook: a trace of (operator, counter) pairs, printed over semihosting after the
# last operator (outside the timed region of the next operator). bench_now() is the firmware's
# counter (SysTick under QEMU), bench_platform.h its declaration.
PROFILE_C = r"""
#include <stdint.h>
#include "bench_platform.h"

#define TE_PROFILE_MAX 1024
static int32_t te_profile_op_ids[TE_PROFILE_MAX];
static uint32_t te_profile_ticks[TE_PROFILE_MAX];
static int32_t te_profile_n;

static void te_profile_write(const char *text)
{
    register int r0 __asm__("r0") = 0x04; /* SYS_WRITE0 */
    register const char *r1 __asm__("r1") = text;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
}

static void te_profile_print(void)
{
    static const char hex[] = "0123456789abcdef";
    char item[20];
    int32_t i;
    te_profile_write("\nte-profile:");
    for (i = 0; i < te_profile_n; ++i) {
        uint32_t v = (uint32_t)te_profile_op_ids[i];
        int k;
        item[0] = ' ';
        for (k = 0; k < 8; ++k) {
            item[1 + k] = hex[(v >> (28 - 4 * k)) & 15u];
        }
        item[9] = ':';
        v = te_profile_ticks[i];
        for (k = 0; k < 8; ++k) {
            item[10 + k] = hex[(v >> (28 - 4 * k)) & 15u];
        }
        item[18] = 0;
        te_profile_write(item);
    }
    te_profile_write("\n");
    te_profile_n = 0;
}

void te_profile_op(int32_t op)
{
    const uint32_t now = (uint32_t)bench_now();
    if (te_profile_n < TE_PROFILE_MAX) {
        te_profile_op_ids[te_profile_n] = op;
        te_profile_ticks[te_profile_n] = now;
        ++te_profile_n;
    }
    if (op < 0) {
        te_profile_print();
    }
}
"""
PROFILE_DEFINE = """#include <stdint.h>
void te_profile_op(int32_t op);
#define TE_PROFILE_OP(op) te_profile_op(op)
"""
_TRACE = re.compile(r"te-profile:((?: [0-9a-f]{8}:[0-9a-f]{8})+)")


def model_path(name: str, cache: Path) -> Path:
    """A shared model's .tflite, or the cached int8 export of a zoo netspec."""
    shared = SHARED / f"{name}.tflite"
    return shared if shared.is_file() else export_zoo(name, cache)


def mcu_bench(project: Path) -> tuple[dict, str]:
    """``mcu-bench run`` on the emulated F746, or the H743 when the model does not fit: result JSON, board."""
    tool = str(Path(sys.executable).parent / "mcu-bench")
    for board in (BOARD, LARGE_BOARD):
        cmd = [tool, "run", str(project), "--board", board, "--runner", "qemu", "--repeat", "1", "--json"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return json.loads(done.stdout), board
        if "does not fit" not in done.stderr:
            break
    raise RuntimeError(f"mcu-bench failed on {project}: {done.stderr.strip()[-400:]}")


def profiled_copy(project: Path, dest: Path) -> Path:
    """A copy of ``project`` whose model source defines TE_PROFILE_OP, with the hook's source added."""
    shutil.copytree(project, dest)
    manifest = json.loads((dest / "te-project.json").read_text())
    model_c = dest / "src" / f"{manifest['api_prefix']}.c"
    model_c.write_text(PROFILE_DEFINE + model_c.read_text())
    (dest / "src" / "te_profile.c").write_text(PROFILE_C)
    manifest["sources"].append("src/te_profile.c")
    (dest / "te-project.json").write_text(json.dumps(manifest, indent=2))
    return dest


def op_instructions(project: Path, work: Path, board_name: str) -> tuple[dict[int, float], Path]:
    """Emulated instructions of every operator (index -> count) from the profiled firmware, its ELF."""
    board = find_board(board_name)
    layout = board_layout(board, emulated=True)
    fw = build_cortexm(load_project(project), board, layout, work / "fw", repeat=1, warmup=0)
    request = fw.symbols[firmware.HOST_REQUEST_SYMBOL]
    command = [
        *qemu_base_command(board.machine),
        "-semihosting-config", "enable=on,target=native",
        "-kernel", str(fw.elf),
        "-device", f"loader,addr={request:#x},data={firmware.HOST_REQUEST_SEMIHOSTING:#x},data-len=4",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    traces = _TRACE.findall(done.stdout + done.stderr)
    if not traces:
        raise RuntimeError(f"no profile trace from {project}: {done.stderr.strip()[-300:]}")
    pairs = [item.split(":") for item in traces[-1].split()]
    marks = [(int(a, 16) - (1 << 32) if int(a, 16) >= 1 << 31 else int(a, 16), int(b, 16)) for a, b in pairs]
    per_tick = instructions_per_tick(board.machine)
    counts: dict[int, float] = defaultdict(float)
    for (op, start), (_, end) in zip(marks, marks[1:], strict=False):
        counts[op] += ((end - start) & 0xFFFFFFFF) * per_tick
    return dict(counts), fw.elf


def function_bytes(elf: Path, prefix: str) -> int:
    """Bytes of the model's and the runtime's functions (``te_*``, ``<prefix>_*``; not the hook's)."""
    total = 0
    with elf.open("rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        for sym in symtab.iter_symbols():
            name = sym.name
            ours = name.startswith(("te_", prefix + "_")) and not name.startswith("te_profile")
            if sym["st_info"]["type"] == "STT_FUNC" and ours:
                total += sym["st_size"]
    return total


def measure(name: str, cache: Path, work: Path) -> dict:
    """Every latency figure of one model."""
    path = model_path(name, cache)
    compiled = compile_model(path)
    project = work / name
    build_project(path, project, target="cortex-m7", compiled=compiled, force=True)
    manifest = json.loads((project / "te-project.json").read_text())
    board, board_name = mcu_bench(project)
    profiled = profiled_copy(project, work / f"{name}-profiled")
    per_op, elf = op_instructions(profiled, work / f"{name}-fw", board_name)
    graph = compiled.graph
    types: dict[str, dict] = {}
    ops = []
    for op in manifest["ops"]:
        index = op["index"]
        key = f"{op['kind']} {op['kernel'] or '-'}"
        row = types.setdefault(key, {"ops": 0, "macs": 0, "instructions": 0.0})
        macs, count = op_macs(graph, graph.operators[index]), per_op.get(index, 0.0)
        row["ops"] += 1
        row["macs"] += macs
        row["instructions"] += count
        ops.append({"index": index, "op": describe(graph, index), "macs": macs, "instructions": round(count)})
    for row in types.values():
        row["instructions"] = round(row["instructions"])
        count = row["instructions"]
        row["macs_per_instruction"] = round(row["macs"] / count, 3) if count else None
    macs = sum(op_macs(graph, op) for op in graph.operators)
    instructions = board["latency"]["min"]
    memory = board["memory"]
    golden = sum(t["bytes"] for t in manifest["inputs"])
    code = memory["flash"] - manifest["weight_bytes"] - golden
    return {
        "name": name,
        "tflite": str(path),
        "board": board_name,
        "macs": macs,
        "instructions": instructions,
        "macs_per_instruction": round(macs / instructions, 3) if instructions else None,
        "profiled_instructions": round(sum(per_op.values())),
        "op_types": dict(sorted(types.items(), key=lambda kv: -kv[1]["instructions"])),
        "ops": ops,
        "flash_bytes": memory["flash"],
        "weight_bytes": manifest["weight_bytes"],
        "code_bytes": code,
        "kernel_function_bytes": function_bytes(elf, manifest["api_prefix"]),
        "code_under_40kB": code < CODE_LIMIT,
        "meets_mac_target": bool(instructions) and macs / instructions >= TARGET_MACS_PER_INSTRUCTION,
        "output_check": board["outputs"]["check"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ",".join(SHARED_MODELS + ZOO_MODELS)
    parser.add_argument("--models", default=default, help="comma-separated shared or zoo model names")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of cached zoo int8 exports")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    parser.add_argument("--before", type=Path, default=BEFORE, help="an earlier result to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="latency-") as tmp:
        rows = [measure(name, args.cache, Path(tmp)) for name in args.models.split(",")]
    doc = {
        "benchmark": "latency",
        "board": f"{BOARD}, or {LARGE_BOARD} for models the F746 cannot hold (QEMU Cortex-M7, -icount)",
        "unit": "emulated instructions per inference (not board cycles); 1 kB = 1024 B",
        "models": rows,
    }
    before = _before(args.before)
    for r in rows:
        r["before"] = before.get(r["name"])
    write_results(args.out, doc)
    _print(rows)
    print(f"wrote {args.out}")
    return 0 if all(r["output_check"] == "match" and r["code_under_40kB"] for r in rows) else 1


def _before(path: Path) -> dict[str, dict]:
    """Per model of an earlier result: instructions, MACs/instruction, code and per-type MACs/instruction."""
    if not path.is_file():
        return {}
    rows = json.loads(path.read_text())["models"]
    return {
        r["name"]: {
            "instructions": r["instructions"],
            "macs_per_instruction": r["macs_per_instruction"],
            "code_bytes": r["code_bytes"],
            "op_types": {k: t["macs_per_instruction"] for k, t in r["op_types"].items()},
        }
        for r in rows
    }


def _print(rows: list[dict]) -> None:
    heads = [("model", 20), ("MACs", 10), ("instr (emulated)", 16), ("MAC/instr", 9), ("before", 6),
             ("code kB", 8), ("before", 6), ("kernels kB", 10), ("check", 6)]  # fmt: skip
    print(" ".join(f"{name:>{width}}" for name, width in heads))
    for r in rows:
        b = r.get("before") or {}
        mpi = f"{r['macs_per_instruction']:.3f}" if r["macs_per_instruction"] else "-"
        old = f"{b['macs_per_instruction']:.3f}" if b.get("macs_per_instruction") else "-"
        old_code = f"{b['code_bytes'] / KB:.1f}" if b.get("code_bytes") else "-"
        fn = f"{r['kernel_function_bytes'] / KB:.1f}" if r["kernel_function_bytes"] else "-"
        print(f"{r['name']:>20} {r['macs']:>10} {r['instructions']:>16} {mpi:>9} {old:>6}"
              f" {r['code_bytes'] / KB:>8.1f} {old_code:>6} {fn:>10} {r['output_check']:>6}")  # fmt: skip
    for r in rows:
        before = (r.get("before") or {}).get("op_types", {})
        print(f"\n{r['name']}: per operator type (emulated instructions; MAC/instr now, before)")
        for key, t in r["op_types"].items():
            share = 100.0 * t["instructions"] / max(r["profiled_instructions"], 1)
            mpi = f"{t['macs_per_instruction']:.3f}" if t["macs_per_instruction"] else "-"
            old = f"{before[key]:.3f}" if before.get(key) else "-"
            print(f"  {key:>48} {t['ops']:>4} ops {t['macs']:>10} MACs {t['instructions']:>11} instr"
                  f" {share:5.1f}% {mpi:>7} {old:>7}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
