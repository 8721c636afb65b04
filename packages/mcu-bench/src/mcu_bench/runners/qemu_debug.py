"""The Cortex-M debug unit a pyOCD probe expects, emulated on top of QEMU's gdbstub.

pyOCD talks to a core through memory-mapped debug registers: DHCSR (halt, step, status), DCRSR and
DCRDR (core registers), DEMCR (reset vector catch), DFSR (why it halted), AIRCR (reset), the FPB
(breakpoints), and finds them through a CoreSight ROM table. QEMU models none of these for a
debugger, so this class answers those addresses itself and turns them into gdbstub packets:
halting is an interrupt, resuming is `c`, breakpoints are `Z0`, a system reset is the monitor's
`system_reset`. Every other address is real memory, read and written through the gdbstub.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mcu_bench.runners.gdb_remote import GdbRemote

DHCSR, DCRSR, DCRDR, DEMCR = 0xE000EDF0, 0xE000EDF4, 0xE000EDF8, 0xE000EDFC
DFSR, AIRCR = 0xE000ED30, 0xE000ED0C
SCS_BASE, DWT_BASE, FPB_BASE, ROM_BASE = 0xE000E000, 0xE0001000, 0xE0002000, 0xE00FF000

C_DEBUGEN, C_HALT, C_STEP = 1 << 0, 1 << 1, 1 << 2
S_REGRDY, S_HALT = 1 << 16, 1 << 17
DFSR_HALTED, DFSR_BKPT, DFSR_VCATCH = 1 << 0, 1 << 1, 1 << 3
DEMCR_VC_CORERESET = 1 << 0
AIRCR_VECTRESET, AIRCR_SYSRESETREQ = 1 << 0, 1 << 2
FPB_CODE_COMPARATORS = 6

# CoreSight identification: ARM's JEP106 code 0x43B, (class, part number) per component.
_ARM_PIDR = {0xFD0: 0x04, 0xFE8: 0x0B}  # PIDR4 (continuation), PIDR2 (JEP106 bits + JEDEC flag)
_COMPONENTS = {ROM_BASE: (0x1, 0x4C4), SCS_BASE: (0xE, 0x00C), DWT_BASE: (0xE, 0x002), FPB_BASE: (0xE, 0x00E)}
# DCRSR register selectors -> gdb register names (17/18, MSP/PSP: QEMU only exposes the current SP).
_DCRSR_NAMES = {
    **{i: f"r{i}" for i in range(13)},
    **{13: "sp", 14: "lr", 15: "pc", 16: "xpsr", 17: "sp", 18: "sp", 33: "fpscr"},
}


class QemuDebugUnit:
    """Debug registers, FPB and ROM table of one emulated core, backed by a GdbRemote."""

    def __init__(self, gdb: GdbRemote) -> None:
        self.gdb = gdb
        self.running = False
        self.demcr = 0
        self.dfsr = 0
        self.dcrdr = 0
        self.fp_ctrl = 0
        self.fp_comp = [0] * FPB_CODE_COMPARATORS
        self.breakpoints: set[int] = set()

    # -- memory ---------------------------------------------------------------

    def read32(self, address: int) -> int:
        """One word, from an emulated register or from QEMU's memory."""
        value = self._read_emulated(address)
        if value is not None:
            return value
        with self._stopped():
            return int.from_bytes(self.gdb.read_memory(address, 4), "little")

    def write32(self, address: int, value: int) -> None:
        """One word, to an emulated register or to QEMU's memory."""
        if not self._write_emulated(address, value):
            with self._stopped():
                self.gdb.write_memory(address, value.to_bytes(4, "little"))

    def read_block(self, address: int, length: int) -> bytes:
        """Bytes; word by word where the range touches emulated registers."""
        if self._is_emulated_range(address, length):
            words = [self.read32(a) for a in range(address & ~3, address + length, 4)]
            data = b"".join(w.to_bytes(4, "little") for w in words)
            return data[address & 3 : (address & 3) + length]
        with self._stopped():
            return self.gdb.read_memory(address, length)

    def write_block(self, address: int, data: bytes) -> None:
        """Bytes; word by word where the range touches emulated registers."""
        if self._is_emulated_range(address, len(data)):
            for offset in range(0, len(data), 4):
                self.write32(address + offset, int.from_bytes(data[offset : offset + 4], "little"))
            return
        with self._stopped():
            self.gdb.write_memory(address, data)

    # -- run control ------------------------------------------------------------

    def poll(self) -> None:
        """Notice that a running core has stopped (a breakpoint, or QEMU gave up)."""
        if self.running and self.gdb.poll_stop() is not None:
            self.running = False
            pc = self.gdb.read_register("pc")
            self.dfsr |= DFSR_BKPT if pc in self.breakpoints else DFSR_HALTED

    def halt(self) -> None:
        """Stop the core (a no-op when it is already stopped)."""
        self.poll()
        if self.running:
            self.gdb.interrupt()
            self.running = False
            self.dfsr |= DFSR_HALTED

    def resume(self) -> None:
        """Let the core run until a breakpoint or a halt request."""
        if not self.running:
            self.gdb.cont()
            self.running = True

    def system_reset(self) -> None:
        """Reset the machine (the core reloads SP and PC from the vector table); halt if caught."""
        self.halt()
        self.gdb.monitor("system_reset")
        self.gdb.read_register("pc")  # let QEMU finish the reset before going on
        if self.demcr & DEMCR_VC_CORERESET:
            self.dfsr |= DFSR_VCATCH
        else:
            self.resume()

    @contextmanager
    def _stopped(self) -> Iterator[None]:
        """QEMU's gdbstub (all-stop) serves memory only while stopped: pause a running core around it."""
        self.poll()
        paused = self.running
        if paused:
            self.gdb.interrupt()
            self.running = False
        try:
            yield
        finally:
            if paused:
                self.resume()

    # -- emulated registers -------------------------------------------------------

    def _is_emulated_range(self, address: int, length: int) -> bool:
        end = address + length
        return any(address < hi and lo < end for lo, hi in _EMULATED_RANGES)

    def _read_emulated(self, address: int) -> int | None:
        if address == DHCSR:
            self.poll()
            return C_DEBUGEN | S_REGRDY | (0 if self.running else S_HALT | C_HALT)
        if address == DCRDR:
            return self.dcrdr
        if address == DCRSR:
            return 0
        if address == DEMCR:
            return self.demcr
        if address == DFSR:
            return self.dfsr
        base = address & ~0xFFF
        if base in _COMPONENTS and (address & 0xFFF) >= 0xFD0:
            return _component_id(base, address & 0xFFF)
        if base == ROM_BASE:
            return _rom_table_word(address & 0xFFF)
        if base == FPB_BASE:
            return self._read_fpb(address & 0xFFF)
        if base == DWT_BASE:
            return 0  # no watchpoint comparators, no cycle counter (QEMU does not model one)
        return None

    def _write_emulated(self, address: int, value: int) -> bool:
        if address == DHCSR:
            self._write_dhcsr(value)
        elif address == DCRSR:
            self._write_dcrsr(value)
        elif address == DCRDR:
            self.dcrdr = value
        elif address == DEMCR:
            self.demcr = value
        elif address == DFSR:
            self.dfsr &= ~value  # write one to clear
        elif address == AIRCR and (value >> 16) == 0x05FA and value & (AIRCR_SYSRESETREQ | AIRCR_VECTRESET):
            self.system_reset()
        elif (address & ~0xFFF) == FPB_BASE:
            self._write_fpb(address & 0xFFF, value)
        elif (address & ~0xFFF) in (DWT_BASE, ROM_BASE):
            pass
        else:
            return False
        return True

    def _write_dhcsr(self, value: int) -> None:
        if (value >> 16) != 0xA05F:
            return  # writes without the debug key are ignored by the hardware too
        if value & C_HALT:
            self.halt()
        elif value & C_STEP:
            self.poll()
            if not self.running:
                self.gdb.step()
                self.dfsr |= DFSR_HALTED
        elif value & C_DEBUGEN:
            self.resume()

    def _write_dcrsr(self, value: int) -> None:
        selector, write = value & 0x7F, bool(value & (1 << 16))
        name = _DCRSR_NAMES.get(selector)
        if selector >= 0x40:  # S0..S31 live in halves of D0..D15
            self._single_register(selector - 0x40, write)
        elif selector == 20:  # CONTROL/FAULTMASK/BASEPRI/PRIMASK: not exposed by QEMU's gdbstub
            self.dcrdr = 0 if not write else self.dcrdr
        elif name is not None and name in self.gdb.registers:
            if write:
                self.gdb.write_register(name, self.dcrdr)
            else:
                self.dcrdr = self.gdb.read_register(name)
        elif not write:
            self.dcrdr = 0

    def _single_register(self, index: int, write: bool) -> None:
        double = f"d{index // 2}"
        if double not in self.gdb.registers:
            self.dcrdr = 0 if not write else self.dcrdr
            return
        shift = 32 * (index % 2)
        value = self.gdb.read_register(double)
        if write:
            value = (value & ~(0xFFFFFFFF << shift)) | (self.dcrdr << shift)
            self.gdb.write_register(double, value)
        else:
            self.dcrdr = (value >> shift) & 0xFFFFFFFF

    def _read_fpb(self, offset: int) -> int:
        if offset == 0:
            return (1 << 28) | (FPB_CODE_COMPARATORS << 4) | self.fp_ctrl  # FPBv2: any address
        index = (offset - 8) // 4
        return self.fp_comp[index] if 0 <= index < FPB_CODE_COMPARATORS else 0

    def _write_fpb(self, offset: int, value: int) -> None:
        if offset == 0:
            if value & 2:  # KEY
                self.fp_ctrl = value & 1
            return
        index = (offset - 8) // 4
        if not 0 <= index < FPB_CODE_COMPARATORS:
            return
        old = self.fp_comp[index]
        if old & 1:
            self.gdb.remove_breakpoint(old & ~1)
            self.breakpoints.discard(old & ~1)
        self.fp_comp[index] = value
        if value & 1:
            self.gdb.set_breakpoint(value & ~1)
            self.breakpoints.add(value & ~1)


_EMULATED_RANGES = (
    (0xE000ED0C, 0xE000ED10),  # AIRCR (writes)
    (0xE000ED30, 0xE000ED34),  # DFSR
    (0xE000EDF0, 0xE000EE00),  # DHCSR, DCRSR, DCRDR, DEMCR
    (0xE000EFD0, 0xE000F000),  # SCS identification
    (DWT_BASE, DWT_BASE + 0x1000),
    (FPB_BASE, FPB_BASE + 0x1000),
    (ROM_BASE, ROM_BASE + 0x1000),
)


def _component_id(base: int, offset: int) -> int:
    """CoreSight PIDR/CIDR words of the emulated components (ARM as designer)."""
    component_class, part = _COMPONENTS[base]
    cidr = {0xFF0: 0x0D, 0xFF4: component_class << 4, 0xFF8: 0x05, 0xFFC: 0xB1}
    pidr = {0xFE0: part & 0xFF, 0xFE4: (part >> 8) | 0xB0, **_ARM_PIDR}
    return cidr.get(offset, pidr.get(offset, 0))


def _rom_table_word(offset: int) -> int:
    """ROM table entries (offsets to SCS, DWT, FPB; then the end marker) and MEMTYPE."""
    entries = [((component - ROM_BASE) & 0xFFFFF000) | 0x3 for component in (SCS_BASE, DWT_BASE, FPB_BASE)]
    if offset < 4 * len(entries):
        return entries[offset // 4]
    return 1 if offset == 0xFCC else 0  # MEMTYPE: system memory present
