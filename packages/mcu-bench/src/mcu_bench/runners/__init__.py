"""Runners: one interface (`Runner.build`, `Runner.run`), three ways to run the bench.

Imports stay lazy: pyOCD loads `runners.qemu_probe` as a plugin, and must not pull in the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcu_bench.runners.base import Runner

RUNNERS = ("auto", "qemu", "pyocd", "host")


def make_runner(name: str, probe: str | None = None) -> Runner:
    """The runner called `name`; `auto` is pyocd when a probe is given or attached, else qemu."""
    if name == "auto":
        from mcu_bench.runners.pyocd_runner import attached_probes

        name = "pyocd" if probe or attached_probes() else "qemu"
    if name == "qemu":
        from mcu_bench.runners.qemu import QemuRunner

        return QemuRunner()
    if name == "pyocd":
        from mcu_bench.runners.pyocd_runner import PyocdRunner

        return PyocdRunner(probe)
    if name == "host":
        from mcu_bench.runners.host import HostRunner

        return HostRunner()
    raise ValueError(f"unknown runner {name!r} (choose from {', '.join(RUNNERS)})")
