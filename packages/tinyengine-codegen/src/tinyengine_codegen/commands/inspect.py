"""``te-gen inspect MODEL.tflite``: what a model holds and whether te-gen can compile it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tinyengine_codegen.analysis import op_macs, op_params
from tinyengine_codegen.commands.common import JSON_OPTION, console, one_line_errors, print_json
from tinyengine_codegen.frontend.tflite_reader import is_float_model, read_tflite, unsupported_operators
from tinyengine_codegen.ir.graph import Graph, Quantization, Tensor


def _quant(q: Quantization | None) -> str:
    if q is None:
        return "-"
    if q.per_channel:
        return f"per-channel axis {q.axis} ({len(q.scale)} scales)"
    return f"scale {q.scale[0]:.6g} zp {q.zero_point[0]}"


def _tensor_dict(index: int, t: Tensor) -> dict[str, Any]:
    quant = None
    if t.quant is not None:
        quant = {"scale": t.quant.scale, "zero_point": t.quant.zero_point, "axis": t.quant.axis}
    return {"index": index, "name": t.name, "shape": list(t.shape), "dtype": t.dtype,
            "constant": t.is_const, "bytes": t.nbytes, "quantization": quant}  # fmt: skip


def describe(graph: Graph) -> dict[str, Any]:
    """The JSON description of a decoded model (``te-gen inspect --json``)."""
    problems = {i: (kind, why) for i, kind, why in unsupported_operators(graph)}
    float_model = is_float_model(graph)
    ops = []
    for i, op in enumerate(graph.operators):
        ops.append(
            {
                "index": i,
                "kind": op.kind,
                "inputs": op.inputs,
                "outputs": op.outputs,
                "output_shape": list(graph.tensors[op.outputs[0]].shape) if op.outputs else [],
                "options": {
                    k: v for k, v in op.options.items() if isinstance(v, (int, float, str, bool, list))
                },
                "macs": op_macs(graph, op) if op.inputs else 0,
                "params": op_params(graph, op),
                "supported": i not in problems and not float_model,
                "reason": problems[i][1] if i in problems else ("float model" if float_model else None),
            }
        )
    return {
        "model": graph.source or graph.name,
        "inputs": [_tensor_dict(t, graph.tensors[t]) for t in graph.inputs],
        "outputs": [_tensor_dict(t, graph.tensors[t]) for t in graph.outputs],
        "operators": ops,
        "tensors": [_tensor_dict(i, t) for i, t in enumerate(graph.tensors)],
        "macs": sum(op["macs"] for op in ops),
        "params": sum(op["params"] for op in ops),
        "float_model": float_model,
        "supported": not problems and not float_model,
        "unsupported": [{"index": i, "kind": kind, "reason": why} for i, (kind, why) in problems.items()],
    }


@one_line_errors
def inspect(
    model: Path = typer.Argument(..., help="A .tflite model."),
    tensors: bool = typer.Option(False, "--tensors", help="Also list every tensor (constants included)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show MODEL's operators, tensors, shapes, quantization, MACs, parameters, and what is supported."""
    info = describe(read_tflite(model))
    if as_json:
        print_json(info)
        return
    _print_tables(info, tensors)


def _print_tables(info: dict[str, Any], show_tensors: bool) -> None:
    ops = Table(title=f"{escape(info['model'])}: {len(info['operators'])} operators")
    for column in ("#", "operator", "output", "MACs", "params", "supported"):
        ops.add_column(column, justify="right" if column in ("#", "MACs", "params") else "left")
    for op in info["operators"]:
        ok = "yes" if op["supported"] else f"[red]no: {escape(op['reason'])}[/red]"
        ops.add_row(str(op["index"]), op["kind"], str(tuple(op["output_shape"])), f"{op['macs']:,}",
                    f"{op['params']:,}", ok)  # fmt: skip
    console.print(ops)
    if show_tensors:
        console.print(_tensor_table("tensors", info["tensors"]))
    console.print(_tensor_table("inputs", info["inputs"]))
    console.print(_tensor_table("outputs", info["outputs"]))
    console.print(f"MACs {info['macs']:,}   parameters {info['params']:,}")
    if info["float_model"]:
        console.print("[red]not supported:[/red] float model (not quantized)")
    elif info["unsupported"]:
        listed = ", ".join(f"#{u['index']} {u['kind']}" for u in info["unsupported"])
        console.print(f"[red]not supported:[/red] {escape(listed)}")
    else:
        console.print("[green]supported[/green]: te-gen can compile this model")


def _tensor_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in ("#", "name", "shape", "dtype", "bytes", "quantization"):
        table.add_column(column)
    for t in rows:
        q = t["quantization"]
        quant = _quant(Quantization(q["scale"], q["zero_point"], q["axis"]) if q else None)
        kind = " (const)" if t["constant"] else ""
        table.add_row(str(t["index"]), escape(t["name"]), str(tuple(t["shape"])), t["dtype"] + kind,
                      f"{t['bytes']:,}", quant)  # fmt: skip
    return table
