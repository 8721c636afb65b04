"""QEMU machines that stand in for a board's core when no board is attached.

The MPS2 machines model no STM32 RCC, PWR or flash interface (writing there faults), so firmware
built for them leaves out the board's clock set-up: `Machine.rcc` is None.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """An emulated machine: its core and where its memories are (they are larger than a board's)."""

    name: str
    core: str
    flash_origin: int
    flash_size: int
    sram_origin: int
    sram_size: int
    systick_hz: int  # SysTick's clock with CLKSOURCE = processor clock
    rcc: str | None = None  # the STM32 clock tree it models (a clock family), None: no STM32 RCC at all


MACHINES: dict[str, Machine] = {
    m.name: m
    for m in (
        Machine("mps2-an500", "cortex-m7", 0x0000_0000, 4 << 20, 0x2000_0000, 4 << 20, 25_000_000),
        Machine("mps2-an386", "cortex-m4", 0x0000_0000, 4 << 20, 0x2000_0000, 4 << 20, 25_000_000),
    )
}
