"""The bench firmware: C sources shipped with mcu-bench, and the generators for the per-project parts."""

from __future__ import annotations

from pathlib import Path

FIRMWARE_DIR = Path(__file__).parent

#: Sources of every build, then the platform's own.
COMMON_SOURCES = ("bench_main.c",)
CORTEXM_SOURCES = ("startup_cortexm.c", "platform_cortexm.c", "cache_cortexm.c")
HOST_SOURCES = ("platform_host.c",)
#: Cortex-M clock set-up when the build has no clock recipe (emulated machines, boards without `clock:`).
NO_CLOCK_SOURCE = "clock_reset.c"

#: Symbols the runners look up in the ELF.
RESULT_SYMBOL = "mcu_bench_result"
OUTPUT_SYMBOL = "mcu_bench_output"
DONE_SYMBOL = "mcu_bench_done"
HOST_REQUEST_SYMBOL = "mcu_bench_host_request"
HOST_REQUEST_SEMIHOSTING = 0x51454D55


def sources(platform: str, clock_source: str | None = None) -> list[Path]:
    """The shipped C files for `platform` ("cortexm" or "host"); Cortex-M builds add `clock_source`
    (a recipe's `clock_stm32*.c`) or, without one, `clock_reset.c`."""
    own = CORTEXM_SOURCES + (clock_source or NO_CLOCK_SOURCE,) if platform == "cortexm" else HOST_SOURCES
    return [FIRMWARE_DIR / name for name in (*COMMON_SOURCES, *own)]
