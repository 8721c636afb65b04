"""A hand-made te-project/1 project: a tiny int8 "model" (one fully connected layer) with golden files.

It lets mcu-bench be tested without the code generator: the C code and the golden output are
computed here, the same arithmetic on both sides.
"""

from __future__ import annotations

import json
from pathlib import Path

N_IN, N_OUT, SHIFT = 16, 4, 4
WEIGHTS = [[((7 * j + 3 * i) % 11) - 5 for i in range(N_IN)] for j in range(N_OUT)]
BIAS = [100, -50, 7, -300]
INPUT = [((13 * i) % 37) - 18 for i in range(N_IN)]

_HEADER = """#ifndef {guard}
#define {guard}
int {p}_invoke(void);
void *{p}_input(int index);
const void *{p}_output(int index);
#endif
"""

_SOURCE = """#include <stdint.h>
#include "{p}.h"

static int8_t {p}_arena[{arena}];
static const int8_t {p}_weights[{n_out}][{n_in}] = {{{weights}}};
static const int32_t {p}_bias[{n_out}] = {{{bias}}};
static const volatile int8_t {p}_padding[{padding}] = {{[{padding} - 1] = 1}};

int {p}_invoke(void)
{{
    {misbehave}
    const int8_t *in = {p}_arena;
    int8_t *out = {p}_arena + {n_in};
    for (int j = 0; j < {n_out}; ++j) {{
        int32_t acc = {p}_bias[j] + {p}_padding[{padding} - 1] - 1;
        for (int i = 0; i < {n_in}; ++i) {{
            acc += {p}_weights[j][i] * in[i];
        }}
        acc >>= {shift};
        out[j] = (int8_t)(acc < -128 ? -128 : acc > 127 ? 127 : acc);
    }}
    return {rc};
}}

void *{p}_input(int index) {{ return index == 0 ? {p}_arena : 0; }}

const void *{p}_output(int index) {{ return index == 0 ? {p}_arena + {n_in} : 0; }}
"""


_MISBEHAVE = {
    "": "",
    "trap": "__builtin_trap();",
    "hang": "for (;;) {}",
    "deep_stack": "volatile int8_t deep[8192]; for (int i = 0; i < 8192; ++i) { deep[i] = (int8_t)i; }",
}


def golden_output() -> bytes:
    """What the tiny model computes for INPUT."""
    out = []
    for j in range(N_OUT):
        acc = (BIAS[j] + sum(w * x for w, x in zip(WEIGHTS[j], INPUT, strict=True))) >> SHIFT
        out.append(max(-128, min(127, acc)))
    return bytes(v & 0xFF for v in out)


def make_project(
    root: Path,
    prefix: str = "tiny",
    *,
    arena_bytes: int = 64,
    flash_padding: int = 1,
    invoke_rc: int = 0,
    golden: bytes | None = None,
    misbehave: str = "",
) -> Path:
    """Write the project under `root`; `arena_bytes` and `flash_padding` grow SRAM and Flash use.

    `misbehave`: "" (a working model), "trap" (an undefined instruction), "hang" (never returns) or
    "deep_stack" (8 kB of locals).
    """
    (root / "include").mkdir(parents=True, exist_ok=True)
    (root / "src").mkdir(exist_ok=True)
    (root / "golden").mkdir(exist_ok=True)
    (root / "include" / f"{prefix}.h").write_text(_HEADER.format(guard=prefix.upper() + "_H", p=prefix))
    (root / "src" / f"{prefix}.c").write_text(
        _SOURCE.format(
            p=prefix,
            arena=arena_bytes,
            n_in=N_IN,
            n_out=N_OUT,
            shift=SHIFT,
            rc=invoke_rc,
            misbehave=_MISBEHAVE[misbehave],
            padding=flash_padding,
            weights=", ".join("{" + ", ".join(map(str, row)) + "}" for row in WEIGHTS),
            bias=", ".join(map(str, BIAS)),
        )
    )
    (root / "golden" / "input_0.bin").write_bytes(bytes(v & 0xFF for v in INPUT))
    (root / "golden" / "output_0.bin").write_bytes(golden if golden is not None else golden_output())
    manifest = {
        "format": "te-project/1",
        "generator": {"name": "fixture", "version": "0.1.0"},
        "model": {"name": prefix, "file": f"{prefix}.tflite", "sha256": ""},
        "target": "cortex-m7",
        "api_prefix": prefix,
        "arena_bytes": arena_bytes,
        "weight_bytes": N_IN * N_OUT + 4 * N_OUT + flash_padding,
        "ops": [{"index": 0, "kind": "FULLY_CONNECTED", "kernel": "hand_written"}],
        "inputs": [{"name": "x", "shape": [1, N_IN], "dtype": "int8", "bytes": N_IN,
                    "scale": 0.1, "zero_point": 0, "golden": "golden/input_0.bin"}],
        "outputs": [{"name": "y", "shape": [1, N_OUT], "dtype": "int8", "bytes": N_OUT,
                     "scale": 0.1, "zero_point": 0, "golden": "golden/output_0.bin"}],
        "sources": [f"src/{prefix}.c"],
        "include_dirs": ["include"],
    }  # fmt: skip
    (root / "te-project.json").write_text(json.dumps(manifest, indent=2))
    return root
