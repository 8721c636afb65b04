"""Part 2's commands refuse bad input with one line naming the problem and exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TINYNAS = Path(sys.executable).with_name("tinynas")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "--supernet", "{tmp}/missing.pt", "--data", "builtin:fashion-mnist",
          "-o", "{tmp}/b.json"],
         "missing.pt: no such supernet file"),
        (["supernet", "train", "--space", "{tmp}/space.json", "--data", "builtin:fashion-mnist",
          "-o", "{tmp}/s.pt"], "space.json: unknown format 'netspec/1'"),
        (["run", "--data", "builtin:fashion-mnist", "-o", "{tmp}/out", "--preset", "huge"],
         "--preset: unknown preset 'huge'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "space.json").write_text('{"format": "netspec/1"}')
    cmd = [str(TINYNAS), *(a.format(tmp=tmp_path) for a in args)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
