"""The result record the firmware leaves in RAM (mirror of bench_result.h)."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from mcu_bench.errors import RunError

MAGIC = 0x4255434D
VERSION = 2
FIELDS = (
    "magic",
    "version",
    "status",
    "invoke_rc",
    "counter",
    "warmup",
    "repeat",
    "ticks_min",
    "ticks_max",
    "ticks_total_lo",
    "ticks_total_hi",
    "stack_size",
    "stack_used",
    "output_bytes",
    "output_checksum",
    "output_addr",
    "clock_status",
    "clock_hz",
)
RECORD_FORMAT = "<3Ii14I"
RECORD_BYTES = struct.calcsize(RECORD_FORMAT)

STATUS = {0: "ok", 1: "did not finish", 2: "invoke failed", 3: "fault"}
COUNTERS = {0: "none", 1: "dwt_cycles", 2: "systick", 3: "host_ns"}
CLOCK_RESET, CLOCK_PLL = 0, 1
#: clock_status 16 and up: the clock set-up step that failed (bench_result.h BENCH_CLOCK_ERR_*).
CLOCK_ERRORS = {
    16: "HSI not ready",
    17: "SYSCLK did not switch back to HSI",
    18: "the PLL did not stop",
    19: "HSE not ready (no crystal or bypass clock?)",
    20: "supply configuration locked otherwise or not ready",
    21: "voltage scaling not ready",
    22: "over-drive not ready",
    23: "the PLL did not lock",
    24: "flash wait states did not read back",
    25: "SYSCLK did not switch to the PLL",
    26: "the HSI divider did not return to 1",
}
_DUMP = re.compile(r"mcu-bench-result: ([0-9a-f]+)")


@dataclass(frozen=True)
class Record:
    """One finished run as the firmware saw it."""

    status: int
    invoke_rc: int
    counter: str
    warmup: int
    repeat: int
    ticks_min: int
    ticks_max: int
    ticks_total: int
    stack_size: int
    stack_used: int
    output_checksum: int
    output_addr: int
    output: bytes
    clock_status: int = CLOCK_RESET
    clock_hz: int = 0  # the core clock the firmware set or fell back to; 0: it did not touch the clocks

    @property
    def status_text(self) -> str:
        """`ok`, `invoke failed`, ..."""
        return STATUS.get(self.status, f"unknown status {self.status}")

    @property
    def clock_error(self) -> str | None:
        """What stopped the clock set-up, or None when it did not fail."""
        if self.clock_status in (CLOCK_RESET, CLOCK_PLL):
            return None
        return CLOCK_ERRORS.get(self.clock_status, f"unknown clock status {self.clock_status}")


def parse_header(raw: bytes) -> dict[str, int]:
    """The record's words by field name; RunError when there is no valid record."""
    if len(raw) < RECORD_BYTES:
        raise RunError(f"result record truncated: {len(raw)} of {RECORD_BYTES} bytes")
    words = dict(zip(FIELDS, struct.unpack_from(RECORD_FORMAT, raw), strict=True))
    if words["magic"] != MAGIC:
        raise RunError("the firmware wrote no result record (it did not start or crashed early)")
    if words["version"] != VERSION:
        raise RunError(f"result record version {words['version']}, expected {VERSION}")
    return words


def parse_record(raw: bytes) -> Record:
    """A Record from the header bytes followed by the output bytes."""
    w = parse_header(raw)
    output = raw[RECORD_BYTES : RECORD_BYTES + w["output_bytes"]]
    if len(output) != w["output_bytes"]:
        raise RunError(f"output bytes truncated: {len(output)} of {w['output_bytes']}")
    if fnv1a(output) != w["output_checksum"] and w["status"] != 3:
        raise RunError("output bytes do not match the firmware's checksum (transfer error)")
    return Record(
        status=w["status"],
        invoke_rc=w["invoke_rc"],
        counter=COUNTERS.get(w["counter"], "none"),
        warmup=w["warmup"],
        repeat=w["repeat"],
        ticks_min=w["ticks_min"],
        ticks_max=w["ticks_max"],
        ticks_total=w["ticks_total_lo"] | (w["ticks_total_hi"] << 32),
        stack_size=w["stack_size"],
        stack_used=w["stack_used"],
        output_checksum=w["output_checksum"],
        output_addr=w["output_addr"],
        output=output,
        clock_status=w["clock_status"],
        clock_hz=w["clock_hz"],
    )


def parse_dump(text: str) -> Record:
    """The Record from a `mcu-bench-result: <hex>` line (QEMU semihosting, host stdout)."""
    match = _DUMP.search(text)
    if not match:
        raise RunError("the firmware printed no result")
    return parse_record(bytes.fromhex(match.group(1)))


def fnv1a(data: bytes) -> int:
    """FNV-1a 32, as the firmware computes the output checksum."""
    value = 2166136261
    for byte in data:
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value
