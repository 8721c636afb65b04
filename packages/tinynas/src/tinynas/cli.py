"""The ``tinynas`` command: zoo, train, eval, export, space (+ part 2's supernet, search, run)."""

from __future__ import annotations

import importlib

from tinyengine_codegen.commands.common import make_app
from tinynas.commands import export as export_cmd
from tinynas.commands import space as space_cmd
from tinynas.commands import train as train_cmd
from tinynas.commands import zoo as zoo_cmd

app = make_app("tinynas", "TinyNAS: memory-constrained neural architecture search for microcontrollers.")
app.add_typer(zoo_cmd.app, name="zoo")
app.command("train")(train_cmd.train)
app.command("eval")(train_cmd.eval_)
app.command("export")(export_cmd.export)
app.command("space")(space_cmd.space)

# Further commands (supernet training, evolutionary search, the end-to-end run) live in their
# own packages: each module below, when present, defines ``register(app: typer.Typer) -> None``
# (or a Typer ``app``, added as the sub-command named after its package: ``tinynas supernet ...``).
EXTENSIONS = ("tinynas.supernet.cli", "tinynas.search.cli", "tinynas.latency.cli", "tinynas.pipeline.cli")


def _register_extensions() -> None:
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue  # that extension is not there (yet)
            raise
        if hasattr(module, "register"):
            module.register(app)
        else:
            app.add_typer(module.app, name=name.split(".")[1])


_register_extensions()


def main() -> None:
    """Entry point of the ``tinynas`` script."""
    app()
