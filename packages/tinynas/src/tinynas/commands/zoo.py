"""``tinynas zoo list|show``: the shipped MCUNet netspecs with MACs, parameters and memory."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from tinyengine_codegen.frontend.netspec import NetSpec, netspec_to_dict
from tinyengine_codegen.profile import profile_netspec
from tinynas.commands.common import JSON_OPTION, console, handle_errors, print_json
from tinynas.zoo import load_zoo, zoo_names

app = typer.Typer(help="The MCUNet model zoo (ImageNet models as netspecs).", no_args_is_help=True)


def zoo_entry(spec: NetSpec) -> dict[str, Any]:
    """Name, resolution, blocks, te-gen's MACs, params and memory plan, and the published figures."""
    cost = profile_netspec(spec)
    published = spec.metadata.get("published", {})
    pub_macs = published.get("macs")
    return {
        "name": spec.name,
        "resolution": spec.resolution[0],
        "width_multiplier": spec.metadata.get("width_multiplier"),
        "blocks": len(spec.blocks),
        "macs": cost.macs,
        "params": cost.params,
        "arena_bytes": cost.arena_bytes,
        "flash_bytes": cost.flash_bytes,
        "published_macs": pub_macs,
        "macs_error_pct": None if not pub_macs else 100.0 * (cost.macs - pub_macs) / pub_macs,
        "published_peak_sram_kb": published.get("peak_sram_kb"),
    }


@app.command("list")
@handle_errors
def list_(json_out: bool = JSON_OPTION) -> None:
    """List the zoo's networks: MACs (vs published), parameters, te-gen's peak SRAM and Flash."""
    entries = [zoo_entry(load_zoo(name)) for name in zoo_names()]
    if json_out:
        print_json({"format": "tinynas-zoo/1", "models": entries})
        return
    table = Table(title="tinynas model zoo")
    for col in ("name", "res", "width", "blocks", "MACs", "published", "params", "SRAM", "Flash"):
        table.add_column(col, justify="left" if col == "name" else "right")
    for e in entries:
        pub = (
            f"{e['published_macs'] / 1e6:.1f}M ({e['macs_error_pct']:+.1f}%)" if e["published_macs"] else "-"
        )
        table.add_row(
            e["name"],
            str(e["resolution"]),
            str(e["width_multiplier"] or "-"),
            str(e["blocks"]),
            f"{e['macs'] / 1e6:.2f}M",
            pub,
            f"{e['params'] / 1e6:.3f}M",
            f"{e['arena_bytes'] / 1024:.0f} kB",
            f"{e['flash_bytes'] / 1024:.0f} kB",
        )
    console.print(table)


@app.command("show")
@handle_errors
def show(
    name: str = typer.Argument(..., help="Zoo name, e.g. mcunet-in1."), json_out: bool = JSON_OPTION
) -> None:
    """Show one network: its blocks, MACs and parameters (with --json: the netspec itself)."""
    spec = load_zoo(name)
    if json_out:
        print_json(netspec_to_dict(spec))
        return
    e = zoo_entry(spec)
    console.print(
        f"[bold]{spec.name}[/bold]  input {spec.resolution[0]}x{spec.resolution[1]}x{spec.in_channels}"
        f"  stem {spec.stem_channels}  MACs {e['macs'] / 1e6:.2f}M  params {e['params'] / 1e6:.3f}M"
        f"  SRAM {e['arena_bytes'] / 1024:.1f} kB  Flash {e['flash_bytes'] / 1024:.1f} kB (te-gen)",
        highlight=False,
    )
    table = Table()
    for col in ("#", "expand", "kernel", "stride", "in", "out", "residual"):
        table.add_column(col, justify="right")
    for i, (cin, b) in enumerate(zip(spec.block_in_channels(), spec.blocks, strict=True)):
        table.add_row(
            str(i),
            str(b.expand_ratio),
            str(b.kernel_size),
            str(b.stride),
            str(cin),
            str(b.out_channels),
            "yes" if spec.is_residual(i) else "",
        )
    console.print(table)
    console.print(
        f"head: global average pool -> fully connected {spec.last_channels} -> {spec.num_classes}",
        highlight=False,
    )
