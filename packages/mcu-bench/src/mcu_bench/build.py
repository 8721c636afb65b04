"""Compile a generated project and the bench firmware into an ELF (arm-none-eabi-gcc -O3, or host gcc)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mcu_bench import firmware
from mcu_bench.boards import Board
from mcu_bench.boards.clock import ClockRecipe
from mcu_bench.compiler import compile_objects, link
from mcu_bench.errors import DoesNotFitError, InputError, RunError
from mcu_bench.firmware.glue import golden_data, model_header
from mcu_bench.firmware.linker import Layout, linker_script
from mcu_bench.memory import MemoryFigures, elf_memory, elf_symbols
from mcu_bench.project import Project
from mcu_bench.sizes import kb

CROSS_CC = "arm-none-eabi-gcc"
HOST_CC = "cc"
COMMON_CFLAGS = ("-O3", "-std=gnu99", "-ffunction-sections", "-fdata-sections", "-g", "-Wall")
CORTEXM_LDFLAGS = ("-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs", "-Wl,--gc-sections")
DEFAULT_STACK = 16 * 1024
_OVERFLOW = re.compile(r"region `?(\w+)'? overflowed|will not fit in region")
_SYMBOLS = (
    firmware.RESULT_SYMBOL,
    firmware.OUTPUT_SYMBOL,
    firmware.DONE_SYMBOL,
    firmware.HOST_REQUEST_SYMBOL,
)


@dataclass(frozen=True)
class Firmware:
    """A linked bench firmware and what was recorded while building it."""

    elf: Path
    platform: str  # "cortexm" or "host"
    compiler: str
    compiler_version: str
    cflags: tuple[str, ...]
    ldflags: tuple[str, ...]
    layout: Layout | None = None
    memory: MemoryFigures | None = None
    symbols: dict[str, int] = field(default_factory=dict)
    clock: ClockRecipe | None = None  # the clock set-up built in; None: clocks as reset leaves them


def cortexm_cflags(board: Board) -> tuple[str, ...]:
    """-mcpu/-mfpu/-mfloat-abi for the board's core, then the common flags."""
    fpu = ("-mfloat-abi=soft",) if board.fpu == "none" else (f"-mfpu={board.fpu}", "-mfloat-abi=hard")
    return (f"-mcpu={board.core}", "-mthumb", *fpu, *COMMON_CFLAGS)


def board_layout(board: Board, *, emulated: bool, stack_size: int = DEFAULT_STACK) -> Layout:
    """The board's Flash and SRAM sizes, at the board's addresses or at its QEMU stand-in's."""
    if emulated:
        machine = board.machine
        if machine is None:
            raise InputError(f"{board.path}: board {board.name} names no QEMU machine to stand in for it")
        flash_origin, sram_origin = machine.flash_origin, machine.sram_origin
        title = f"board {board.name}, emulated on {machine.name}"
    else:
        flash_origin, sram_origin = board.flash.origin, board.sram.origin
        title = f"board {board.name}"
    return Layout(flash_origin, board.flash.size, sram_origin, board.sram.size, stack_size, title)


def target_clock(board: Board, *, emulated: bool) -> ClockRecipe | None:
    """The clock recipe to build in: the board's own on the board itself; on an emulated machine only
    if that machine models the recipe's clock tree (QEMU's MPS2 machines model none: no STM32 RCC)."""
    recipe = board.clock
    if recipe is None or not emulated:
        return recipe
    machine = board.machine
    return recipe if machine is not None and machine.rcc == recipe.family else None


def build_cortexm(
    project: Project,
    board: Board,
    layout: Layout,
    out_dir: Path,
    *,
    repeat: int,
    warmup: int = 1,
    clock: ClockRecipe | None = None,
) -> Firmware:
    """Cross-compile for the board, with `clock`'s set-up code (see `target_clock`) or none;
    DoesNotFitError (with the numbers) when the board is too small."""
    cflags = cortexm_cflags(board) + (clock.defines if clock else ())
    sources = _prepare(
        project, out_dir, repeat=repeat, warmup=warmup, platform="cortexm",
        clock_source=clock.source_file if clock else None,
    )  # fmt: skip
    objects = compile_objects(CROSS_CC, cflags, _includes(project, out_dir), sources, out_dir / "obj")
    elf = out_dir / "firmware.elf"
    ldflags = _cortexm_ldflags(out_dir / "link.ld", layout)
    error = link(CROSS_CC, cflags, objects, (*ldflags, f"-Wl,-Map={out_dir / 'firmware.map'}"), elf)
    if error is not None:
        if not _OVERFLOW.search(error):
            raise RunError(f"{CROSS_CC} cannot link {project.root}:\n{error}")
        _raise_does_not_fit(project, board, layout, out_dir, cflags, objects)
    figures = elf_memory(elf)
    _check_fits(project, board, figures)
    return Firmware(
        elf=elf,
        platform="cortexm",
        compiler=CROSS_CC,
        compiler_version=compiler_version(CROSS_CC),
        cflags=cflags,
        ldflags=ldflags,
        layout=layout,
        memory=figures,
        symbols=elf_symbols(elf, _SYMBOLS),
        clock=clock,
    )


def build_host(project: Project, out_dir: Path, *, repeat: int, warmup: int = 1) -> Firmware:
    """Compile for this machine with its own C compiler."""
    cc = shutil.which(HOST_CC) or shutil.which("gcc")
    if cc is None:
        raise RunError("no host C compiler found (cc or gcc)")
    sources = _prepare(project, out_dir, repeat=repeat, warmup=warmup, platform="host")
    objects = compile_objects(cc, COMMON_CFLAGS, _includes(project, out_dir), sources, out_dir / "obj")
    exe = out_dir / "bench"
    error = link(cc, COMMON_CFLAGS, objects, ("-lm",), exe)
    if error is not None:
        raise RunError(f"{cc} cannot link {project.root}:\n{error}")
    return Firmware(exe, "host", Path(cc).name, compiler_version(cc), COMMON_CFLAGS, ("-lm",))


def compiler_version(cc: str) -> str:
    """`gcc -dumpversion`, or "" when it cannot say."""
    try:
        done = subprocess.run([cc, "-dumpversion"], capture_output=True, text=True, timeout=30)
    except OSError:
        return ""
    return done.stdout.strip()


def _prepare(
    project: Project,
    out_dir: Path,
    *,
    repeat: int,
    warmup: int,
    platform: str,
    clock_source: str | None = None,
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench_model.h").write_text(model_header(project, warmup=warmup, repeat=repeat))
    (out_dir / "bench_data.S").write_text(golden_data(project))
    return [*project.sources, *firmware.sources(platform, clock_source), out_dir / "bench_data.S"]


def _includes(project: Project, out_dir: Path) -> list[str]:
    dirs = [out_dir, firmware.FIRMWARE_DIR, *project.include_dirs]
    return [f"-I{d}" for d in dirs]


def _cortexm_ldflags(script: Path, layout: Layout) -> tuple[str, ...]:
    script.write_text(linker_script(layout))
    return (*CORTEXM_LDFLAGS, f"-Wl,-T,{script}", "-lm")


def _raise_does_not_fit(project, board, layout, out_dir, cflags, objects) -> None:
    """Link again without limits to measure what the firmware needs, then refuse with the numbers."""
    roomy = Layout(
        layout.flash_origin, 256 << 20, layout.sram_origin, 256 << 20, layout.stack_size, "measure"
    )
    elf = out_dir / "measure.elf"
    error = link(CROSS_CC, cflags, objects, _cortexm_ldflags(out_dir / "measure.ld", roomy), elf)
    if error is not None:
        raise RunError(f"{CROSS_CC} cannot link {project.root}:\n{error}")
    _check_fits(project, board, elf_memory(elf))
    raise RunError(f"the linker refused the firmware for {board.name} but the sizes fit: see {out_dir}")


def _check_fits(project: Project, board: Board, figures: MemoryFigures) -> None:
    problems = []
    if figures.sram > board.sram.size:
        problems.append(
            f"needs {kb(figures.sram)} SRAM (static {kb(figures.static_ram)} + stack "
            f"{kb(figures.stack_reserved)}), board {board.name} has {kb(board.sram.size)}"
        )
    if figures.flash > board.flash.size:
        problems.append(f"needs {kb(figures.flash)} Flash, board {board.name} has {kb(board.flash.size)}")
    if problems:
        raise DoesNotFitError(f"model {project.model_name} does not fit: " + "; ".join(problems))
