"""Compiler driver: C and assembly sources to objects (in parallel, with an object cache), then a link.

The cache is keyed by the compiler, its flags and the *preprocessed* source (as ccache's preprocessor
mode), so a changed header can never reuse a stale object. It lives in $MCU_BENCH_CACHE (default
~/.cache/mcu-bench/objects); MCU_BENCH_CACHE=off disables it. Assembly files are never cached
(their `.incbin` data is not part of the preprocessed text).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mcu_bench.errors import RunError

CACHE_ENV = "MCU_BENCH_CACHE"


def cache_dir() -> Path | None:
    """The object cache folder, or None when disabled."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "mcu-bench" / "objects"


def compile_objects(
    cc: str, cflags: tuple[str, ...], includes: list[str], sources: list[Path], obj_dir: Path
) -> list[Path]:
    """Compile every source into `obj_dir`; RunError with the compiler's messages on failure."""
    if shutil.which(cc) is None:
        raise RunError(
            f"compiler {cc} not found (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
        )
    obj_dir.mkdir(parents=True, exist_ok=True)
    targets = [obj_dir / f"{i:02d}_{source.stem}.o" for i, source in enumerate(sources)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        errors = list(
            pool.map(lambda st: _compile_one(cc, cflags, includes, *st), zip(sources, targets, strict=True))
        )
    failures = [e for e in errors if e]
    if failures:
        raise RunError(f"{cc} failed:\n" + "\n".join(failures))
    return targets


def link(
    cc: str, cflags: tuple[str, ...], objects: list[Path], ldflags: tuple[str, ...], output: Path
) -> str | None:
    """Link; the linker's messages on failure (no output left behind), None on success."""
    done = subprocess.run(
        [cc, *cflags, *map(str, objects), "-o", str(output), *ldflags], capture_output=True, text=True
    )
    if done.returncode != 0:
        output.unlink(missing_ok=True)
        return (done.stderr or done.stdout).strip()
    return None


def _compile_one(
    cc: str, cflags: tuple[str, ...], includes: list[str], source: Path, target: Path
) -> str | None:
    command = [cc, *cflags, *includes, "-c", str(source)]
    cache = cache_dir() if source.suffix == ".c" else None
    key = _cache_key(cc, cflags, command) if cache else None
    if key and (cache / key).is_file():
        shutil.copyfile(cache / key, target)
        return None
    done = subprocess.run([*command, "-o", str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        return (done.stderr or done.stdout).strip()
    if key:
        _store(target, cache, key)
    return None


def _cache_key(cc: str, cflags: tuple[str, ...], command: list[str]) -> str | None:
    """Compiler identity, code-generation flags and the preprocessed text (which names every header)."""
    done = subprocess.run([*command, "-E", "-o", "-"], capture_output=True)
    if done.returncode != 0:
        return None  # let the real compile report the error
    digest = hashlib.sha256(_identity(cc) + "\0".join(cflags).encode())
    digest.update(done.stdout)
    return digest.hexdigest() + ".o"


@functools.lru_cache(maxsize=8)
def _identity(cc: str) -> bytes:
    return subprocess.run([cc, "--version"], capture_output=True).stdout


def _store(target: Path, cache: Path, key: str) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-")
        os.close(fd)
        shutil.copyfile(target, tmp)
        os.replace(tmp, cache / key)
    except OSError:
        pass  # a read-only or full cache only costs time
