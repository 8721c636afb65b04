"""The main job end to end on the built-in default (grows as the suite grows)."""

from __future__ import annotations

import subprocess
import sys


def main() -> int:
    """Run the demo pipeline; return the exit code."""
    steps = [["arm-none-eabi-gcc", "--version"], ["qemu-system-arm", "--version"]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        print(result.stdout.splitlines()[0] if result.stdout else result.stderr)
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
