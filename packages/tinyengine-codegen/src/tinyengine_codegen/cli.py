"""The ``te-gen`` command: inspect, profile (reading and planning) and build, verify (code generation).

Each command lives in ``commands/<name>.py``; a new one is imported and registered below.
"""

from __future__ import annotations

from tinyengine_codegen.commands import build as build_cmd
from tinyengine_codegen.commands import inspect as inspect_cmd
from tinyengine_codegen.commands import profile as profile_cmd
from tinyengine_codegen.commands import verify as verify_cmd
from tinyengine_codegen.commands.common import make_app

app = make_app(
    "te-gen", "TinyEngine code generator: int8 .tflite or netspec -> memory plan -> generated C project."
)

# Reading and planning.
app.command("inspect")(inspect_cmd.inspect)
app.command("profile")(profile_cmd.profile)

# Code generation.
app.command("build")(build_cmd.build)
app.command("verify")(verify_cmd.verify)


def main() -> None:
    """Entry point of the ``te-gen`` script."""
    app()
