"""Clock recipes in board files: the shipped ones give their board's clock, bad ones are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mcu_bench.boards import find_board, list_boards
from mcu_bench.boards.clock import parse_clock
from mcu_bench.cli import app
from mcu_bench.errors import InputError

F746 = {"family": "stm32f7", "source": "hsi", "pll_m": 8, "pll_n": 216, "pll_p": 2, "flash_latency": 7,
        "overdrive": True}  # fmt: skip


def _board_file(
    tmp_path: Path, clock: object, *, core: str = "cortex-m7", clock_hz: int = 216_000_000
) -> Path:
    path = tmp_path / "board.yaml"
    board = {"format": "mcu-bench-board/1", "name": "my-board", "core": core, "fpu": "none",
             "clock_hz": clock_hz, "flash": {"origin": 0x0800_0000, "size": "1MB"},
             "sram": {"origin": 0x2000_0000, "size": "320KB"}, "clock": clock}  # fmt: skip
    path.write_text(yaml.safe_dump(board))
    return path


def _defines(recipe) -> dict[str, int]:
    return {d[len("-DBENCH_CLOCK_") :].split("=")[0]: int(d.split("=")[1]) for d in recipe.defines}


def test_every_shipped_board_has_a_recipe_that_gives_its_clock() -> None:
    boards = {b.name: b for b in list_boards()}
    assert {name: (b.clock.family, b.clock.core_hz) for name, b in boards.items()} == {
        "stm32f412": ("stm32f4", 100_000_000),
        "stm32f746": ("stm32f7", 216_000_000),
        "stm32h743": ("stm32h7", 400_000_000),
    }
    assert all(b.clock.core_hz == b.clock_hz for b in boards.values())
    f746, f412, h743 = (_defines(boards[n].clock) for n in ("stm32f746", "stm32f412", "stm32h743"))
    # F746: 16 MHz / 8 * 216 / 2, over-drive, 7 wait states, APB1 / 4 (54 MHz), APB2 / 2 (108 MHz)
    assert (f746["PLL_M"], f746["PLL_N"], f746["PLL_P_FIELD"], f746["OVERDRIVE"]) == (8, 216, 0, 1)
    assert (f746["FLASH_LATENCY"], f746["PPRE1_FIELD"], f746["PPRE2_FIELD"], f746["F4"]) == (7, 5, 4, 0)
    # F412: 16 MHz / 8 * 100 / 2, scale 1, 3 wait states (+ ART), APB1 / 2 (50 MHz), APB2 / 1
    assert (f412["PLL_N"], f412["VOS_FIELD"], f412["FLASH_LATENCY"], f412["F4"]) == (100, 3, 3, 1)
    assert (f412["PPRE1_FIELD"], f412["PPRE2_FIELD"], f412["OVERDRIVE"]) == (4, 0, 0)
    # H743: 64 MHz / 4 = 16 MHz (range 8-16 MHz), * 50 = 800 MHz wide VCO, / 2; AXI / 2, APBs / 2
    assert (h743["PLL_RGE"], h743["PLL_VCOSEL"], h743["PLL_N"], h743["PLL_P"]) == (3, 0, 50, 2)
    assert (h743["VOS"], h743["FLASH_LATENCY"], h743["FLASH_WRHIGHFREQ"], h743["D1CPRE_FIELD"]) == (
        1,
        2,
        2,
        0,
    )
    assert (h743["HPRE_FIELD"], h743["D1PPRE_FIELD"], h743["D2PPRE1_FIELD"], h743["D3PPRE_FIELD"]) == (
        8,
        4,
        4,
        4,
    )


@pytest.mark.parametrize(
    ("block", "core_hz", "expected"),
    [
        # STM32F746G-DISCO: 25 MHz crystal
        ({**F746, "source": "hse", "hse_hz": 25_000_000, "pll_m": 25, "pll_n": 432}, 216_000_000,
         {"USE_HSE": 1, "HSE_BYPASS": 0, "PLL_M": 25}),
        # an F411-like part at 84 MHz, scale 2
        ({"family": "stm32f4", "source": "hsi", "pll_m": 16, "pll_n": 336, "pll_p": 4, "flash_latency": 2,
          "vos": 2}, 84_000_000, {"VOS_FIELD": 2, "PLL_P_FIELD": 1, "PPRE1_FIELD": 4, "PPRE2_FIELD": 0}),
        # H743 revision V at 480 MHz: VOS0, VCO 960 MHz, AXI 240 MHz with 4 wait states
        ({"family": "stm32h7", "source": "hsi", "pll_m": 4, "pll_n": 60, "pll_p": 2, "flash_latency": 4,
          "vos": 0}, 480_000_000, {"VOS": 0, "VOS_FIELD": 3, "HPRE_FIELD": 8, "FLASH_WRHIGHFREQ": 2}),
        # H7 from NUCLEO's 8 MHz ST-LINK clock (HSE bypass)
        ({"family": "stm32h7", "source": "hse", "hse_hz": 8_000_000, "hse_bypass": True, "pll_m": 1,
          "pll_n": 100, "pll_p": 2, "flash_latency": 2}, 400_000_000, {"PLL_RGE": 3, "HSE_BYPASS": 1}),
        # H7 with a 1 MHz PLL input: medium VCO range
        ({"family": "stm32h7", "source": "hse", "hse_hz": 4_000_000, "pll_m": 4, "pll_n": 400, "pll_p": 2,
          "flash_latency": 2, "vos": 3}, 200_000_000, {"PLL_RGE": 0, "PLL_VCOSEL": 1, "HPRE_FIELD": 8}),
    ],
)  # fmt: skip
def test_valid_recipes_give_their_clock(block: dict, core_hz: int, expected: dict) -> None:
    recipe = parse_clock(block)
    assert recipe.core_hz == core_hz
    assert expected.items() <= _defines(recipe).items()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pll_n": 200}, "the recipe gives 200000000 Hz, clock_hz is 216000000"),
        ({"pll_m": 4}, r"PLL input \(source / pll_m\) is 4 MHz, outside 0.95 MHz .. 2.1 MHz"),
        ({"pll_n": 300, "pll_p": 4}, r"VCO \(PLL input \* pll_n\) is 600 MHz, outside 100 MHz .. 432 MHz"),
        ({"flash_latency": 5}, r"flash_latency 5 is too low for 216 MHz \(at least 7"),
        ({"overdrive": False}, "core clock .* is 216 MHz, above the 180 MHz limit"),
        ({"pll_p": 3}, "pll_p must be 2, 4, 6 or 8"),
        ({"pll_q": 9}, "unknown keys for stm32f7: pll_q"),
        ({"family": "stm32l4"}, "family 'stm32l4' not supported"),
        ({"source": "hse"}, "source hse needs hse_hz"),
        ({"hse_hz": 8_000_000}, "hse_hz and hse_bypass apply only to source: hse"),
        ({"apb1_div": 2}, r"APB clock \(apb1_div\) is 108 MHz, above the 54 MHz limit"),
        ({"apb2_div": 3}, "apb2_div must be one of 1, 2, 4, 8, 16"),
        ({"overdrive": "yes"}, "overdrive must be true or false"),
        ({"vos": 3}, "overdrive needs vos 1 or 2"),
    ],
)
def test_bad_recipe_names_the_file_and_the_number(tmp_path: Path, change: dict, message: str) -> None:
    path = _board_file(tmp_path, {**F746, **change})
    with pytest.raises(InputError, match=message) as caught:
        find_board(str(path))
    assert str(caught.value).startswith(f"{path}: clock: ")


def test_recipe_must_match_the_core_and_be_a_mapping(tmp_path: Path) -> None:
    h7_at_100 = {
        "family": "stm32h7",
        "source": "hsi",
        "pll_m": 4,
        "pll_n": 50,
        "pll_p": 8,
        "flash_latency": 1,
    }
    with pytest.raises(InputError, match="family stm32h7 has a cortex-m7 core, the board a cortex-m4"):
        find_board(str(_board_file(tmp_path, h7_at_100, core="cortex-m4", clock_hz=100_000_000)))
    with pytest.raises(InputError, match="clock: expected a mapping"):
        find_board(str(_board_file(tmp_path, "216MHz")))


def test_board_without_a_recipe_keeps_reset_clocks(tmp_path: Path) -> None:
    path = _board_file(tmp_path, None)
    path.write_text(path.read_text().replace("clock: null\n", ""))
    assert find_board(str(path)).clock is None


def test_cli_refuses_a_bad_recipe_in_one_line_with_exit_2(cli, tmp_path: Path, tiny_project: Path) -> None:
    path = _board_file(tmp_path, {**F746, "pll_n": 250})
    for args in (["run", str(tiny_project), "--board", str(path)], ["boards", "--boards-dir", str(tmp_path)]):
        done = cli.invoke(app, args)
        assert done.exit_code == 2, done.output
        lines = done.stderr.strip().splitlines()
        assert (
            len(lines) == 1 and str(path) in lines[0] and "VCO" in lines[0] and "Traceback" not in done.output
        )


def test_boards_json_lists_the_recipes(cli) -> None:
    import json

    done = cli.invoke(app, ["boards", "--json"])
    boards = {b["name"]: b for b in json.loads(done.stdout)["boards"]}
    assert boards["stm32f746"]["clock"]["pll_n"] == 216 and boards["stm32f746"]["clock"]["apb1_div"] == 4
    assert boards["stm32h743"]["clock_hz"] == 400_000_000 and boards["stm32h743"]["clock"]["hpre"] == 2
