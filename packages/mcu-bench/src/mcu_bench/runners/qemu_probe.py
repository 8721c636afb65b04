"""A pyOCD debug probe backed by QEMU: `--probe qemu:BOARD` runs the real pyOCD path without a board.

The probe starts QEMU (the board's stand-in machine, stopped, gdbstub on a Unix socket), answers
pyOCD's DP and AP register accesses itself (one AHB-AP whose ROM table lists SCS, DWT and FPB),
and hands pyOCD a memory interface on which the debug registers are emulated by QemuDebugUnit.
pyOCD's own session, discovery, loader, reset, breakpoint and memory code runs unchanged on top.
The target type is `qemu_<machine>` (e.g. `qemu_mps2_an500`): the machine's memories as RAM.

pyOCD imports this module as a plugin while it initialises itself: other code must import pyOCD
first (any `pyocd.*` module) and never import this module before it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pyocd.core.memory_interface import MemoryInterface
from pyocd.core.plugin import Plugin
from pyocd.probe.debug_probe import DebugProbe

from mcu_bench.runners.qemu import PROBE_PREFIX as PREFIX
from mcu_bench.runners.qemu import pyocd_target_name as target_name

DP_IDR = 0x2BA01477  # SW-DP, ADIv5
AHB_AP_IDR = 0x24770011
AP_BASE = 0xE00FF003  # ROM table at 0xE00FF000, present, ADIv5 format
POWER_ACKS = (1 << 31) | (1 << 29)  # CSYSPWRUPACK, CDBGPWRUPACK


def register_targets() -> None:
    """Add one pyOCD target type per QEMU machine (memories as RAM, so loading is plain writes)."""
    from pyocd.core.memory_map import MemoryMap, RamRegion
    from pyocd.coresight.coresight_target import CoreSightTarget
    from pyocd.target import TARGET

    from mcu_bench.boards.machines import MACHINES

    for machine in MACHINES.values():
        memory_map = MemoryMap(
            RamRegion(
                start=machine.flash_origin, length=machine.flash_size, name="code", is_boot_memory=True
            ),
            RamRegion(start=machine.sram_origin, length=machine.sram_size, name="sram"),
        )

        def __init__(self, session, memory_map=memory_map):  # noqa: N807
            CoreSightTarget.__init__(self, session, memory_map)

        name = target_name(machine.name)
        TARGET.setdefault(name, type(name, (CoreSightTarget,), {"VENDOR": "QEMU", "__init__": __init__}))


class QemuProbe(DebugProbe):
    """A debug probe whose target is a QEMU machine standing in for a board."""

    @classmethod
    def get_all_connected_probes(cls, unique_id=None, is_explicit=False):
        """Only ever the one asked for by id: an emulator is not 'attached'."""
        probe = cls.get_probe_with_id(unique_id, is_explicit) if unique_id else None
        return [probe] if probe else []

    @classmethod
    def get_probe_with_id(cls, unique_id, is_explicit=False):
        """The probe for `qemu:BOARD` (pyOCD passes BOARD with is_explicit set), else None."""
        if unique_id and unique_id.startswith(PREFIX):
            unique_id, is_explicit = unique_id[len(PREFIX) :], True
        return cls(PREFIX + unique_id) if unique_id and is_explicit else None

    def __init__(self, unique_id: str) -> None:
        from mcu_bench.boards import find_board

        super().__init__()
        self._unique_id = unique_id
        board = find_board(unique_id[len(PREFIX) :])
        if board.machine is None:
            raise ValueError(f"board {board.name} names no QEMU machine")
        self.board = board
        self.machine = board.machine
        self._process: subprocess.Popen | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self.unit = None
        self._connected = False
        self._reset_asserted = False
        self._dp = {0x4: 0, 0x8: 0}
        self._csw = 0x23000052

    # -- identity ---------------------------------------------------------------

    @property
    def description(self) -> str:
        return f"QEMU {self.machine.name} (emulated {self.board.name})"

    @property
    def vendor_name(self) -> str:
        return "QEMU"

    @property
    def product_name(self) -> str:
        return self.machine.name

    @property
    def unique_id(self) -> str:
        return self._unique_id

    @property
    def supported_wire_protocols(self):
        return [DebugProbe.Protocol.DEFAULT, DebugProbe.Protocol.SWD]

    @property
    def wire_protocol(self):
        return DebugProbe.Protocol.SWD if self._connected else None

    @property
    def is_open(self) -> bool:
        return self._process is not None

    @property
    def capabilities(self):
        return {DebugProbe.Capability.MANAGED_AP_SELECTION}

    def create_associated_board(self):
        """A board of the emulated target type, unless the session names a target itself."""
        from pyocd.board.board import Board

        register_targets()
        if self.session.options.is_set("target_override"):
            return None
        return Board(self.session, target=target_name(self.machine.name))

    # -- life cycle ----------------------------------------------------------------

    def open(self) -> None:
        """Start QEMU stopped, with its gdbstub on a private Unix socket, and connect to it."""
        from mcu_bench.runners.gdb_remote import GdbRemote
        from mcu_bench.runners.qemu import qemu_base_command
        from mcu_bench.runners.qemu_debug import QemuDebugUnit

        register_targets()
        self._folder = tempfile.TemporaryDirectory(prefix="mcu-bench-qemu-")
        socket_path = str(Path(self._folder.name) / "gdb.sock")
        chardev = f"socket,id=gdb0,path={socket_path},server=on,wait=off"
        command = [*qemu_base_command(self.machine), "-S", "-chardev", chardev, "-gdb", "chardev:gdb0"]
        self._process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self.unit = QemuDebugUnit(GdbRemote(socket_path))
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Stop QEMU and remove its socket."""
        if self.unit is not None:
            self.unit.gdb.close()
            self.unit = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._folder is not None:
            shutil.rmtree(self._folder.name, ignore_errors=True)
            self._folder = None

    def connect(self, protocol=None) -> None:
        self._connected = True

    def disconnect(self) -> None:
        self._connected = False

    def set_clock(self, frequency) -> None:
        """No wire, no clock."""

    def reset(self) -> None:
        """Hardware reset: the machine restarts (halted if reset catch is set)."""
        self.unit.system_reset()

    def assert_reset(self, asserted) -> None:
        """Holding reset halts the core; releasing it resets the machine."""
        self._reset_asserted = bool(asserted)
        if asserted:
            self.unit.halt()
        else:
            self.unit.system_reset()

    def is_reset_asserted(self) -> bool:
        return self._reset_asserted

    def flush(self) -> None:
        """Every access is synchronous."""

    # -- DP and AP registers ----------------------------------------------------------

    def read_dp(self, addr, now=True):
        if addr == 0x0:
            value = DP_IDR
        elif addr == 0x4:  # CTRL/STAT: power-up requests are acknowledged at once
            ctrl = self._dp[0x4]
            value = ctrl | (POWER_ACKS if ctrl & (1 << 30 | 1 << 28) else 0)
        else:
            value = self._dp.get(addr, 0)
        return value if now else (lambda: value)

    def write_dp(self, addr, data) -> None:
        if addr in (0x4, 0x8):
            self._dp[addr] = data

    def read_ap(self, addr, now=True):
        apsel, register = addr >> 24, addr & 0xFF
        value = 0
        if apsel == 0:
            value = {0xFC: AHB_AP_IDR, 0xF8: AP_BASE, 0x00: self._csw}.get(register, 0)
        return value if now else (lambda: value)

    def write_ap(self, addr, data) -> None:
        if addr >> 24 == 0 and addr & 0xFF == 0x00:
            self._csw = data

    def read_ap_multiple(self, addr, count=1, now=True):
        values = [self.read_ap(addr) for _ in range(count)]
        return values if now else (lambda: values)

    def write_ap_multiple(self, addr, values) -> None:
        for value in values:
            self.write_ap(addr, value)

    def get_memory_interface_for_ap(self, ap_address):
        """Memory of AP 0, with the debug registers emulated."""
        return QemuMemoryInterface(self.unit) if getattr(ap_address, "apsel", None) == 0 else None


class QemuMemoryInterface(MemoryInterface):
    """pyOCD's memory interface over QemuDebugUnit."""

    def __init__(self, unit) -> None:
        self._unit = unit

    def write_memory(self, addr, data, transfer_size=32, **attrs) -> None:
        if transfer_size == 32:
            self._unit.write32(addr, data)
        else:
            self._unit.write_block(addr, data.to_bytes(transfer_size // 8, "little"))

    def read_memory(self, addr, transfer_size=32, now=True, **attrs):
        if transfer_size == 32:
            value = self._unit.read32(addr)
        else:
            value = int.from_bytes(self._unit.read_block(addr, transfer_size // 8), "little")
        return value if now else (lambda: value)

    def write_memory_block32(self, addr, data, **attrs) -> None:
        self._unit.write_block(addr, b"".join(int(w).to_bytes(4, "little") for w in data))

    def read_memory_block32(self, addr, size, **attrs):
        raw = self._unit.read_block(addr, 4 * size)
        return [int.from_bytes(raw[i : i + 4], "little") for i in range(0, len(raw), 4)]

    def write_memory_block8(self, addr, data, **attrs) -> None:
        self._unit.write_block(addr, bytes(data))

    def read_memory_block8(self, addr, size, **attrs):
        return list(self._unit.read_block(addr, size))


class QemuProbePlugin(Plugin):
    """pyOCD plugin entry (`pyocd.probe` group, name `qemu`)."""

    def load(self):
        return QemuProbe

    @property
    def name(self) -> str:
        return "qemu"

    @property
    def description(self) -> str:
        return "QEMU gdbstub as a debug probe (mcu-bench): unique id qemu:BOARD"
