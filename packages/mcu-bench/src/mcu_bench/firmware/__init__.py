"""The bench firmware: C sources shipped with mcu-bench, and the generators for the per-project parts."""

from __future__ import annotations

from pathlib import Path

FIRMWARE_DIR = Path(__file__).parent

#: Sources of every build, then the platform's own.
COMMON_SOURCES = ("bench_main.c",)
CORTEXM_SOURCES = ("startup_cortexm.c", "platform_cortexm.c", "cache_cortexm.c")
HOST_SOURCES = ("platform_host.c",)

#: Symbols the runners look up in the ELF.
RESULT_SYMBOL = "mcu_bench_result"
OUTPUT_SYMBOL = "mcu_bench_output"
DONE_SYMBOL = "mcu_bench_done"
HOST_REQUEST_SYMBOL = "mcu_bench_host_request"
HOST_REQUEST_SEMIHOSTING = 0x51454D55


def sources(platform: str) -> list[Path]:
    """The shipped C files for `platform` ("cortexm" or "host")."""
    own = CORTEXM_SOURCES if platform == "cortexm" else HOST_SOURCES
    return [FIRMWARE_DIR / name for name in (*COMMON_SOURCES, *own)]
