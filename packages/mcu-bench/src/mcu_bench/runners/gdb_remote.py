"""A small GDB remote-protocol client, enough to drive QEMU's gdbstub (all-stop mode)."""

from __future__ import annotations

import re
import socket
import time

from mcu_bench.errors import RunError

CHUNK = 1024  # bytes per memory packet: QEMU's packet buffer holds 4 KiB of hex

_TAG = re.compile(r"<([\w:]+)\s([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


class GdbRemote:
    """One connection to a gdbstub: memory, registers, breakpoints, run control."""

    def __init__(self, path: str, *, connect_timeout_s: float = 10.0) -> None:
        """Connect to a gdbstub listening on the Unix socket `path` (retrying while it starts)."""
        deadline = time.monotonic() + connect_timeout_s
        while True:
            try:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(path)
                break
            except OSError:
                self._sock.close()
                if time.monotonic() > deadline:
                    raise RunError(f"cannot connect to the gdbstub at {path}") from None
                time.sleep(0.05)
        self._sock.settimeout(30.0)
        self._buffer = b""
        self._acks = True
        self.command("QStartNoAckMode")
        self._acks = False
        self.command("qSupported:xmlRegisters=arm")
        self.registers = self._read_register_names()

    def close(self) -> None:
        """Drop the connection (QEMU keeps running or exits, as it was told)."""
        self._sock.close()

    # -- packets -------------------------------------------------------------

    def send(self, payload: str) -> None:
        """Send one packet without waiting for a reply."""
        data = payload.encode()
        self._sock.sendall(b"$" + data + b"#" + f"{sum(data) & 0xFF:02x}".encode())

    def command(self, payload: str) -> str:
        """Send a packet and return its reply (stop replies and console output are not expected here)."""
        self.send(payload)
        return self.receive()

    def receive(self, timeout_s: float | None = 30.0) -> str:
        """The next packet's payload; TimeoutError when none arrives in time."""
        self._sock.settimeout(timeout_s)
        while True:
            match = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", self._buffer)
            if match:
                self._buffer = self._buffer[match.end() :]
                if self._acks:
                    self._sock.sendall(b"+")
                return match.group(1).decode()
            chunk = self._sock.recv(65536)
            if not chunk:
                raise RunError("the gdbstub closed the connection")
            self._buffer += chunk

    def poll_stop(self) -> str | None:
        """A stop reply if one has arrived since the last `cont`, else None (does not block)."""
        try:
            return self.receive(timeout_s=0.0)
        except (TimeoutError, BlockingIOError):
            return None

    # -- run control ---------------------------------------------------------

    def cont(self) -> None:
        """Resume; the stop reply arrives later (see poll_stop)."""
        self.send("c")

    def interrupt(self) -> str:
        """Stop a running target and return the stop reply.

        When the target stopped on its own just before, QEMU sends no second reply: ask with `?`.
        """
        self._sock.sendall(b"\x03")
        try:
            return self.receive(timeout_s=5.0)
        except TimeoutError:
            return self.command("?")

    def step(self) -> str:
        """Execute one instruction."""
        return self.command("s")

    def monitor(self, text: str) -> str:
        """Run a monitor command (QEMU: an HMP command), return its output."""
        self.send("qRcmd," + text.encode().hex())
        output = ""
        while True:
            reply = self.receive()
            if reply.startswith("O") and reply != "OK":
                output += bytes.fromhex(reply[1:]).decode(errors="replace")
            else:
                return output

    # -- memory and registers -------------------------------------------------

    def read_memory(self, address: int, length: int) -> bytes:
        """`length` bytes from `address` (in chunks the stub accepts)."""
        out = b""
        while length > 0:
            n = min(length, CHUNK)
            reply = self.command(f"m{address:x},{n:x}")
            if reply.startswith("E") or len(reply) != 2 * n:
                raise RunError(f"gdbstub cannot read memory at {address:#010x}")
            out += bytes.fromhex(reply)
            address, length = address + n, length - n
        return out

    def write_memory(self, address: int, data: bytes) -> None:
        """Write `data` at `address`."""
        for offset in range(0, len(data), CHUNK):
            chunk = data[offset : offset + CHUNK]
            if self.command(f"M{address + offset:x},{len(chunk):x}:{chunk.hex()}") != "OK":
                raise RunError(f"gdbstub cannot write memory at {address + offset:#010x}")

    def read_register(self, name: str) -> int:
        """A register by its name in the target description (r0..pc, xpsr, msp, d0, fpscr, ...)."""
        number, _ = self.registers[name]
        reply = self.command(f"p{number:x}")
        if reply.startswith("E") or not reply:
            raise RunError(f"gdbstub cannot read register {name}")
        return int.from_bytes(bytes.fromhex(reply), "little")

    def write_register(self, name: str, value: int) -> None:
        """Write a register by name."""
        number, bits = self.registers[name]
        data = (value & ((1 << bits) - 1)).to_bytes(bits // 8, "little")
        if self.command(f"P{number:x}={data.hex()}") != "OK":
            raise RunError(f"gdbstub cannot write register {name}")

    def set_breakpoint(self, address: int) -> None:
        """Insert a breakpoint at `address`."""
        if self.command(f"Z0,{address:x},2") != "OK":
            raise RunError(f"gdbstub cannot set a breakpoint at {address:#010x}")

    def remove_breakpoint(self, address: int) -> None:
        """Remove the breakpoint at `address`."""
        self.command(f"z0,{address:x},2")

    def _read_register_names(self) -> dict[str, tuple[int, int]]:
        """name -> (gdb register number, bits), from the target description XML."""
        registers: dict[str, tuple[int, int]] = {}
        number = 0
        pending, seen = ["target.xml"], set()
        while pending:
            annex = pending.pop(0)
            if annex in seen:
                continue
            seen.add(annex)
            for tag, attributes in _TAG.findall(self._read_annex(annex)):
                attrs = dict(_ATTRIBUTE.findall(attributes))
                if tag.endswith("include"):
                    pending.append(attrs["href"])
                elif tag == "reg":
                    number = int(attrs.get("regnum", number))
                    registers[attrs["name"].lower()] = (number, int(attrs["bitsize"]))
                    number += 1
        return registers

    def _read_annex(self, annex: str) -> str:
        text, offset = "", 0
        while True:
            reply = self.command(f"qXfer:features:read:{annex}:{offset:x},fff")
            if not reply or reply[0] not in "ml":
                raise RunError(f"gdbstub gave no target description ({annex}: {reply[:40]!r})")
            text += re.sub(r"}(.)", lambda m: chr(ord(m.group(1)) ^ 0x20), reply[1:])
            offset += len(reply) - 1
            if reply[0] == "l":
                return text
