"""Memory figures from a linked ELF (pyelftools): Flash = text + rodata + data, static RAM = data + bss."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

STACK_SECTION = ".stack"


@dataclass(frozen=True)
class MemoryFigures:
    """Bytes per kind of section; the stack reserve is kept apart from static RAM."""

    text: int
    rodata: int
    data: int
    bss: int
    stack_reserved: int

    @property
    def flash(self) -> int:
        """Flash image: code, constants (weights) and the initial values of .data."""
        return self.text + self.rodata + self.data

    @property
    def static_ram(self) -> int:
        """RAM taken by variables (the arena among them), without the stack."""
        return self.data + self.bss

    @property
    def sram(self) -> int:
        """All SRAM the firmware reserves: static RAM plus the stack."""
        return self.static_ram + self.stack_reserved

    def to_dict(self) -> dict[str, int]:
        """Every figure, derived ones included."""
        return {**asdict(self), "flash": self.flash, "static_ram": self.static_ram, "sram": self.sram}


def elf_memory(elf_path: Path) -> MemoryFigures:
    """Classify the ELF's allocated sections and add up their sizes."""
    sizes = {"text": 0, "rodata": 0, "data": 0, "bss": 0, "stack_reserved": 0}
    with elf_path.open("rb") as handle:
        for section in ELFFile(handle).iter_sections():
            flags = section["sh_flags"]
            if not flags & SH_FLAGS.SHF_ALLOC or section["sh_size"] == 0:
                continue
            sizes[_kind(section.name, section["sh_type"], flags)] += section["sh_size"]
    return MemoryFigures(**sizes)


def _kind(name: str, sh_type: str, flags: int) -> str:
    if name == STACK_SECTION:
        return "stack_reserved"
    if sh_type == "SHT_NOBITS":
        return "bss"
    if flags & SH_FLAGS.SHF_WRITE:
        return "data"
    if flags & SH_FLAGS.SHF_EXECINSTR or name == ".isr_vector":
        return "text"
    return "rodata"


def elf_symbols(elf_path: Path, names: tuple[str, ...]) -> dict[str, int]:
    """Addresses of the named symbols (those present), Thumb bit cleared."""
    found: dict[str, int] = {}
    with elf_path.open("rb") as handle:
        table = ELFFile(handle).get_section_by_name(".symtab")
        for name in names:
            symbols = table.get_symbol_by_name(name) if table else None
            if symbols:
                found[name] = symbols[0]["st_value"] & ~1
    return found
