"""Board definitions: the built-in ones, the user's own, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcu_bench.boards import find_board, list_boards
from mcu_bench.build import board_layout
from mcu_bench.errors import InputError
from mcu_bench.firmware.linker import linker_script
from mcu_bench.sizes import parse_size

CUSTOM = """format: mcu-bench-board/1
name: my-f411
core: cortex-m4
fpu: fpv4-sp-d16
clock_hz: 100000000
flash: {origin: 0x08000000, size: 512KB}
sram: {origin: 0x20000000, size: 128KB}
qemu: {machine: mps2-an386}
"""


def test_builtin_boards_have_the_published_figures() -> None:
    boards = {b.name: b for b in list_boards()}
    f746, f412, h743 = boards["stm32f746"], boards["stm32f412"], boards["stm32h743"]
    assert (f746.core, f746.clock_hz, f746.sram.size, f746.flash.size) == (
        "cortex-m7",
        216_000_000,
        320 << 10,
        1 << 20,
    )
    assert (f412.core, f412.clock_hz, f412.sram.size, f412.flash.size) == (
        "cortex-m4",
        100_000_000,
        256 << 10,
        1 << 20,
    )
    assert (h743.core, h743.clock_hz, h743.sram.size, h743.flash.size) == (
        "cortex-m7",
        400_000_000,
        512 << 10,
        2 << 20,
    )
    assert (f746.qemu_machine, f412.qemu_machine, h743.qemu_machine) == (
        "mps2-an500",
        "mps2-an386",
        "mps2-an500",
    )


def test_user_board_by_path_and_by_search_folder(tmp_path: Path) -> None:
    path = tmp_path / "my-f411.yaml"
    path.write_text(CUSTOM)
    assert find_board(str(path)).sram.size == 128 << 10
    assert find_board("my-f411", [tmp_path]).flash.size == 512 << 10
    assert "my-f411" in [b.name for b in list_boards([tmp_path])]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("core: cortex-m4", "core: cortex-m0"), "core 'cortex-m0' not supported"),
        (("size: 128KB", "size: lots"), "not a size"),
        (("fpu: fpv4-sp-d16", "fpu: fpv4-sp-d16\nram: 3"), "unknown keys: ram"),
        (("mps2-an386", "mps2-an500"), "emulates a cortex-m7"),
    ],
)
def test_bad_board_file_names_the_file_and_the_problem(tmp_path: Path, change, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CUSTOM.replace(*change))
    with pytest.raises(InputError, match=message) as caught:
        find_board(str(path))
    assert str(path) in str(caught.value)


def test_unknown_board_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match="stm32f412"):
        find_board("stm32f999")


def test_emulated_layout_keeps_the_boards_limits() -> None:
    board = find_board("stm32f412")
    script = linker_script(board_layout(board, emulated=True))
    assert "ORIGIN = 0x00000000, LENGTH = 1048576" in script
    assert "ORIGIN = 0x20000000, LENGTH = 262144" in script
    assert "ORIGIN = 0x08000000" in linker_script(board_layout(board, emulated=False))


def test_sizes_accept_units() -> None:
    assert [parse_size(s) for s in ("320KB", "1MB", "512KiB", "4096", 7)] == [
        320 << 10,
        1 << 20,
        512 << 10,
        4096,
        7,
    ]
    with pytest.raises(ValueError):
        parse_size("12 parsecs")
