"""The TinyNAS demo: the whole pipeline on built-in Fashion-MNIST, ending on the emulated STM32F746.

Runs ``tinynas run --data builtin:fashion-mnist --board stm32f746 --preset demo --threads 1
-o build/demo`` (steps already done in build/demo are kept; pass --fresh to start over) and prints
the wall time. One torch thread: on a shared 2-core machine more threads oversubscribe badly.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "demo"


def main(argv: list[str]) -> int:
    """Run the demo; return its exit code."""
    if "--fresh" in argv and OUT.exists():
        shutil.rmtree(OUT)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tinynas = Path(sys.executable).with_name("tinynas")
    cmd = [str(tinynas), "run", "--data", "builtin:fashion-mnist", "--board", "stm32f746", "--preset", "demo",
           "--threads", "1", "-o", str(OUT)]
    print("$ tinynas " + " ".join(cmd[1:]), flush=True)
    began = time.perf_counter()
    code = subprocess.run(cmd).returncode
    print(f"demo wall time: {time.perf_counter() - began:.0f} s (report: {OUT / 'report.json'})", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
