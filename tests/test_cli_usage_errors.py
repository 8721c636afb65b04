"""te-gen, mcu-bench and tinynas report usage errors in one line on stderr with exit code 2.

Through the installed entry points (the scripts next to this Python), as a shell pipeline or a CI
log sees them: missing arguments and options, unknown options and commands, values of the wrong type.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
BOX = "╭╮╰╯│─"

CASES = {
    "te-gen": [
        (["build"], "te-gen build: missing argument 'model' (see te-gen build --help)"),
        (["profile", "m.tflite", "--nope"], "te-gen profile: no such option: --nope"),
        (["nope"], "te-gen: no such command 'nope' (see te-gen --help)"),
    ],
    "mcu-bench": [
        (["run", "--nope"], "mcu-bench run: no such option: --nope"),
        (["run", "p", "-b", "stm32f746", "--repeat", "many"], "mcu-bench run: invalid value for '--repeat'"),
        (["run", "p", "-b", "stm32f746", "--repeat", "0"], "mcu-bench run: invalid value for '--repeat'"),
    ],
    "tinynas": [
        (["run"], "tinynas run: missing option '--data' (see tinynas run --help)"),
        (["zoo", "list", "--nope"], "tinynas zoo list: no such option: --nope"),
    ],
}


def _run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("tool", sorted(CASES))
def test_usage_errors_are_one_line_and_exit_2(tool: str) -> None:
    for args, start in CASES[tool]:
        done = _run(tool, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == "" and "Traceback" not in done.stderr, (args, done.stderr)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(start), (args, done.stderr)
        assert lines[0].endswith(f"(see {start.split(':')[0]} --help)"), lines[0]
        assert not set(BOX) & set(done.stderr), done.stderr


@pytest.mark.parametrize("tool", sorted(CASES))
def test_help_is_still_click_s_help(tool: str) -> None:
    done = _run(tool, "--help")
    assert done.returncode == 0 and "Usage:" in done.stdout and done.stderr == ""
