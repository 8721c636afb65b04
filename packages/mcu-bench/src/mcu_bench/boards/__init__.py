"""Board definitions (YAML, format `mcu-bench-board/1`): built-in ones and the user's own."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from mcu_bench.boards.clock import FAMILY_CORE, ClockRecipe, parse_clock
from mcu_bench.boards.machines import MACHINES, Machine
from mcu_bench.errors import InputError
from mcu_bench.sizes import parse_size

FORMAT = "mcu-bench-board/1"
BUILTIN_DIR = Path(__file__).parent
SEARCH_ENV = "MCU_BENCH_BOARDS"

# gcc -mcpu / -mfpu values the firmware knows how to build for.
CORES = ("cortex-m4", "cortex-m7")
FPUS = ("none", "fpv4-sp-d16", "fpv5-sp-d16", "fpv5-d16")

_REQUIRED = {"format", "name", "core", "fpu", "clock_hz", "flash", "sram"}
_KEYS = _REQUIRED | {"description", "clock", "pyocd", "qemu"}


@dataclass(frozen=True)
class Region:
    """A memory region: start address and size in bytes."""

    origin: int
    size: int


@dataclass(frozen=True)
class Board:
    """One board: core, clock, memories, how pyOCD names it and what QEMU machine stands in for it."""

    name: str
    description: str
    core: str
    fpu: str
    clock_hz: int
    flash: Region
    sram: Region
    pyocd_target: str | None
    pyocd_pack: str | None
    qemu_machine: str | None
    path: Path
    clock: ClockRecipe | None = None  # None: the firmware leaves the clocks as reset leaves them

    @property
    def machine(self) -> Machine | None:
        """The emulated stand-in, or None when the board has none."""
        return MACHINES.get(self.qemu_machine) if self.qemu_machine else None


def search_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for `NAME.yaml`, in order: `extra`, $MCU_BENCH_BOARDS, the built-in boards."""
    dirs = list(extra or [])
    dirs += [Path(p) for p in os.environ.get(SEARCH_ENV, "").split(os.pathsep) if p]
    return dirs + [BUILTIN_DIR]


def list_boards(extra: list[Path] | None = None) -> list[Board]:
    """Every board found in the search folders (the first one of a name wins), sorted by name."""
    found: dict[str, Board] = {}
    for folder in search_dirs(extra):
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            board = load_board_file(path)
            found.setdefault(board.name, board)
    return [found[name] for name in sorted(found)]


def find_board(name_or_path: str, extra: list[Path] | None = None) -> Board:
    """A board by name (searched) or by path to its YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file():
        if not candidate.is_file():
            raise InputError(f"{candidate}: board file not found")
        return load_board_file(candidate)
    for folder in search_dirs(extra):
        path = folder / f"{name_or_path}.yaml"
        if path.is_file():
            return load_board_file(path)
    known = ", ".join(b.name for b in list_boards(extra))
    raise InputError(f"unknown board {name_or_path!r} (known: {known}; or give a path to a board YAML file)")


def load_board_file(path: Path) -> Board:
    """Read and validate one board YAML file; InputError names the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read board file: {str(exc).splitlines()[0]}") from None
    try:
        return _parse(data, path)
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"{path}: {exc}") from None


def _parse(data: object, path: Path) -> Board:
    if not isinstance(data, dict):
        raise ValueError("not a board definition (expected a mapping)")
    if data.get("format") != FORMAT:
        raise ValueError(f"format is {data.get('format')!r}, expected {FORMAT!r}")
    unknown = set(data) - _KEYS
    missing = _REQUIRED - set(data)
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    if missing:
        raise ValueError(f"missing keys: {', '.join(sorted(missing))}")
    if data["core"] not in CORES:
        raise ValueError(f"core {data['core']!r} not supported (supported: {', '.join(CORES)})")
    if data["fpu"] not in FPUS:
        raise ValueError(f"fpu {data['fpu']!r} not supported (supported: {', '.join(FPUS)})")
    clock = data["clock_hz"]
    if not isinstance(clock, int) or clock <= 0:
        raise ValueError(f"clock_hz must be a positive integer, got {clock!r}")
    recipe = _clock(data, clock)
    pyocd = _section(data, "pyocd", {"target", "pack"})
    qemu = _section(data, "qemu", {"machine"})
    board = Board(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        core=data["core"],
        fpu=data["fpu"],
        clock_hz=clock,
        flash=_region(data["flash"], "flash"),
        sram=_region(data["sram"], "sram"),
        pyocd_target=pyocd.get("target"),
        pyocd_pack=pyocd.get("pack"),
        qemu_machine=qemu.get("machine"),
        path=path,
        clock=recipe,
    )
    _check_machine(board)
    return board


def _clock(data: dict, clock_hz: int) -> ClockRecipe | None:
    """The board's clock recipe, checked against its core and its `clock_hz`; None without `clock:`."""
    if "clock" not in data:
        return None
    recipe = parse_clock(data["clock"])
    core = FAMILY_CORE[recipe.family]
    if core != data["core"]:
        raise ValueError(f"clock: family {recipe.family} has a {core} core, the board a {data['core']}")
    if recipe.core_hz != clock_hz:
        raise ValueError(f"clock: the recipe gives {recipe.core_hz} Hz, clock_hz is {clock_hz}")
    return recipe


def _section(data: dict, key: str, keys: set[str]) -> dict:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise ValueError(f"{key}: expected a mapping")
    unknown = set(section) - keys
    if unknown:
        raise ValueError(f"{key}: unknown keys: {', '.join(sorted(unknown))}")
    return section


def _region(value: object, key: str) -> Region:
    if not isinstance(value, dict) or set(value) != {"origin", "size"}:
        raise ValueError(f"{key}: expected {{origin: ADDRESS, size: SIZE}}")
    origin, size = value["origin"], parse_size(value["size"])
    if not isinstance(origin, int) or origin < 0 or size == 0:
        raise ValueError(f"{key}: origin must be an address and size positive")
    return Region(origin, size)


def _check_machine(board: Board) -> None:
    if board.qemu_machine is None:
        return
    machine = board.machine
    if machine is None:
        raise ValueError(
            f"qemu machine {board.qemu_machine!r} not supported (supported: {', '.join(MACHINES)})"
        )
    if machine.core != board.core:
        raise ValueError(
            f"qemu machine {machine.name} emulates a {machine.core}, the board has a {board.core}"
        )
    if board.sram.size > machine.sram_size or board.flash.size > machine.flash_size:
        raise ValueError(f"the board's memories are larger than {machine.name}'s")
