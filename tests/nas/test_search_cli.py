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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["space", "--sram", "32OKB", "--flash", "1MB"], "--sram: '32OKB' is not a size"),
        (["space", "--sram", "0KB", "--flash", "1MB"], "--sram: '0KB' leaves no memory"),
        (["search", "--supernet", "{tmp}/s.pt", "--data", "builtin:fashion-mnist", "-o", "{tmp}/b.json",
          "--flash", "0"], "--flash: '0' leaves no memory"),
        (["run", "--data", "builtin:fashion-mnist", "-o", "{tmp}/afile"],
         "afile: exists and is not a folder"),
        (["run", "--data", "{tmp}/empty", "-o", "{tmp}/out"], "empty: no class folders"),
        (["latency", "build", "--netspec", "{tmp}/n.json", "--runner", "jtag", "-o", "{tmp}/l.json"],
         "--runner: must be one of qemu, pyocd, auto, got 'jtag'"),
    ],
)
def test_bad_options_are_refused_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from tinynas.cli import app

    (tmp_path / "afile").write_text("")
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / "l.json").exists()
