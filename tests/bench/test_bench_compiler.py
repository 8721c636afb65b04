"""The compiler driver's object cache: reused for identical input, never for a changed header."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcu_bench.compiler import compile_objects
from mcu_bench.errors import RunError


def _compile(tmp_path: Path, header: str, name: str) -> bytes:
    (tmp_path / "value.h").write_text(header)
    source = tmp_path / "answer.c"
    source.write_text('#include "value.h"\nint answer(void) { return VALUE; }\n')
    [obj] = compile_objects("cc", ("-O2",), [f"-I{tmp_path}"], [source], tmp_path / name)
    return obj.read_bytes()


def test_cache_reuses_objects_but_sees_header_changes(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MCU_BENCH_CACHE", str(cache))
    first = _compile(tmp_path, "#define VALUE 41\n", "a")
    assert len(list(cache.iterdir())) == 1
    assert _compile(tmp_path, "#define VALUE 41\n", "b") == first
    assert _compile(tmp_path, "#define VALUE 42\n", "c") != first
    assert len(list(cache.iterdir())) == 2


def test_compile_errors_carry_the_compilers_message(tmp_path: Path) -> None:
    source = tmp_path / "broken.c"
    source.write_text("int f(void) { return missing; }\n")
    with pytest.raises(RunError, match="missing"):
        compile_objects("cc", ("-O2",), [], [source], tmp_path / "obj")
