"""The `mcu-bench` command: exit codes, one-line errors, result files, boards, compare."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench_fixture_project import make_project

from mcu_bench.cli import app
from mcu_bench.result import FORMAT

QUICK = ["--repeat", "2", "--stack", "4KB"]


def test_run_writes_the_result_and_exits_0(cli, tiny_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    done = cli.invoke(
        app, ["run", str(tiny_project), "--board", "stm32f746", *QUICK, "-o", str(out), "--json"]
    )
    assert done.exit_code == 0, done.output
    written = json.loads(out.read_text())
    assert written["format"] == FORMAT and written["outputs"]["check"] == "match"
    assert json.loads(done.stdout)["latency"] == written["latency"]
    assert written["build"]["compiler"] == "arm-none-eabi-gcc" and "-O3" in written["build"]["cflags"]


def test_outputs_that_differ_exit_1_and_still_write_the_result(cli, tmp_path: Path) -> None:
    project = make_project(tmp_path / "wrong", golden=b"\x00\x00\x00\x00")
    out = tmp_path / "r.json"
    done = cli.invoke(app, ["run", str(project), "--board", "stm32f412", *QUICK, "-o", str(out)])
    assert done.exit_code == 1
    assert "outputs differ" in done.stderr
    assert json.loads(out.read_text())["outputs"]["check"] == "mismatch"


def test_too_large_model_exits_1_with_the_numbers(cli, tmp_path: Path) -> None:
    project = make_project(tmp_path / "big", arena_bytes=300 * 1024)
    out = tmp_path / "r.json"
    done = cli.invoke(app, ["run", str(project), "--board", "stm32f412", *QUICK, "-o", str(out)])
    assert done.exit_code == 1
    assert re.search(r"needs 304\.\d kB SRAM \(static 300\.\d kB \+ stack 4\.0 kB\)", done.stderr)
    assert "board stm32f412 has 256.0 kB" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()


def test_bad_input_exits_2_with_one_line(cli, tmp_path: Path, tiny_project: Path) -> None:
    cases = [
        ["run", str(tmp_path / "missing"), "--board", "stm32f746"],
        ["run", str(tiny_project), "--board", "stm32f999"],
        ["run", str(tiny_project), "--board", "stm32f746", "--stack", "lots"],
        ["run", str(tiny_project), "--board", "stm32f746", "--runner", "jtag"],
    ]
    (tiny_project / "te-project.json").write_text('{"format": "te-project/9"}')
    cases.append(["run", str(tiny_project), "--board", "stm32f746"])
    for args in cases:
        done = cli.invoke(app, args)
        assert done.exit_code == 2, (args, done.output)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.output


def test_missing_pyocd_target_says_what_to_do(cli, tiny_project: Path) -> None:
    done = cli.invoke(app, ["run", str(tiny_project), "--board", "stm32f746", "--runner", "pyocd"])
    assert done.exit_code == 2
    assert "pyocd pack install stm32f746" in done.stderr


def test_boards_json_lists_the_builtin_boards(cli) -> None:
    done = cli.invoke(app, ["boards", "--json"])
    assert done.exit_code == 0
    listing = json.loads(done.stdout)
    assert {"stm32f746", "stm32f412", "stm32h743"} <= {b["name"] for b in listing["boards"]}
    assert listing["probes"] == []


def test_compare_table_json_and_plot(cli, tiny_project: Path, tmp_path: Path) -> None:
    files = []
    for board, runner in (("stm32f746", "qemu"), ("stm32f412", "host")):
        path = tmp_path / f"{board}.json"
        args = ["run", str(tiny_project), "--board", board, "--runner", runner, *QUICK, "-o", str(path)]
        assert cli.invoke(app, args).exit_code == 0
        files.append(str(path))
    done = cli.invoke(app, ["compare", *files, "--json", "--plot", str(tmp_path / "c.png")])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert [r["latency_unit"] for r in rows] == ["emulated_instructions", "ns"]
    assert (tmp_path / "c.png").stat().st_size > 1000
    table = cli.invoke(app, ["compare", *files])
    assert "stm32f412" in table.stdout and table.exit_code == 0


def test_compare_refuses_a_file_of_another_format(cli, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format": "netspec/1"}')
    done = cli.invoke(app, ["compare", str(other)])
    assert done.exit_code == 2 and "other.json" in done.stderr and "mcu-bench-result/1" in done.stderr


def test_project_without_golden_files_runs_and_says_so(cli, tiny_project: Path, tmp_path: Path) -> None:
    manifest_path = tiny_project / "te-project.json"
    manifest = json.loads(manifest_path.read_text())
    for tensor in (*manifest["inputs"], *manifest["outputs"]):
        tensor["golden"] = None
    manifest_path.write_text(json.dumps(manifest))
    out = tmp_path / "r.json"
    done = cli.invoke(app, ["run", str(tiny_project), "--board", "stm32f746", *QUICK, "-o", str(out)])
    assert done.exit_code == 0, done.output
    result = json.loads(out.read_text())
    assert (
        result["outputs"]["check"] == "no golden"
        and result["outputs"]["tensors"][0]["differing_bytes"] is None
    )


def test_unwritable_result_path_is_one_line_exit_2(cli, tiny_project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = cli.invoke(
        app, ["run", str(tiny_project), "--board", "stm32f746", *QUICK, "-o", str(blocker / "r.json")]
    )
    assert done.exit_code == 2 and "cannot write the result" in done.stderr
