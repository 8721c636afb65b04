"""``te-gen verify``: the generated C, built for the host, against TFLite's reference interpreter."""

from __future__ import annotations

from pathlib import Path

import typer

from tinyengine_codegen.backend.emitter import EmitError
from tinyengine_codegen.backend.host import HostBuildError
from tinyengine_codegen.backend.verify import VerifyReport, verify_model
from tinyengine_codegen.commands.common import (
    JSON_OPTION,
    MAX_EXTRA_MACS_OPTION,
    PATCH_OPTION,
    console,
    err_console,
    fail,
    one_line_errors,
    patch_options,
    print_json,
)
from tinyengine_codegen.errors import InputError
from tinyengine_codegen.memory import PlanError
from tinyengine_codegen.oracle import OracleUnavailable


@one_line_errors
def verify(
    model: Path = typer.Argument(..., help="int8 .tflite model to verify."),
    cases: int = typer.Option(3, "--cases", min=1, help="Inputs to run: the golden one, then seeded random."),
    seed: int = typer.Option(0, "--seed", help="Seed of the golden and random inputs."),
    intermediates: bool = typer.Option(
        False, "--intermediates", help="Also compare every operator's output on the golden input."
    ),
    patch: str = PATCH_OPTION,
    max_extra_macs: str = MAX_EXTRA_MACS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Build MODEL for the host, run CASES inputs and compare every output byte with TFLite.

    Exit 1 on any difference, naming the first operator whose output differs (found by comparing
    each operator's output with the interpreter's intermediate tensor of the same name).
    """
    extra = patch_options(patch, max_extra_macs)
    try:
        with err_console.status("verifying") as status:
            report = verify_model(
                model,
                cases=cases,
                seed=seed,
                progress=lambda s: status.update(s),
                intermediates=intermediates,
                patch=patch,
                max_extra_macs=extra,
            )
    except OracleUnavailable as exc:
        raise InputError(str(exc)) from None
    except (EmitError, PlanError, HostBuildError, FileNotFoundError) as exc:
        fail(f"{model}: {exc}")
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    raise typer.Exit(0 if report.passed else 1)


def _print(report: VerifyReport) -> None:
    if report.passed:
        console.print(
            f"[green]bit-exact[/green]: {report.model}, {report.cases} case(s), "
            f"{report.outputs_bytes} output byte(s) each, equal to TFLite's reference interpreter "
            f"(arena {report.arena_bytes} B)",
            highlight=False,
        )
        if report.tensors_compared:
            console.print(f"and so are all {report.tensors_compared} operator outputs", highlight=False)
        return
    for m in report.mismatches:
        console.print(f"[red]differs[/red]: case {m.case}, output {m.output}: {m.differing_bytes} of "
                      f"{m.total_bytes} bytes", highlight=False)  # fmt: skip
    first = report.first_difference
    if first is None:
        console.print("no intermediate tensor differs: the difference is in the last step", highlight=False)
    else:
        console.print(
            f"first differing operator: #{first.op_index} {first.kind} ({first.kernel}, "
            f"source {first.name}), tensor {first.tensor!r}: "
            f"{first.differing_bytes} of {first.total_bytes} bytes differ (first at byte {first.first_byte})",
            highlight=False,
        )
