"""Latency table: single layers measured through te-gen and mcu-bench on the emulated board."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nas_nets import mbconv_doc

from tinyengine_codegen.frontend.netspec import parse_netspec
from tinynas.errors import InputError
from tinynas.latency.layers import netspec_layers
from tinynas.latency.table import load_table

TINYNAS = Path(sys.executable).with_name("tinynas")
NET = mbconv_doc("tiny", 8, 1, [(1, 3, 1, 8)], num_classes=4)


def test_layers_of_a_netspec() -> None:
    keys = [layer.key for layer in netspec_layers(parse_netspec(NET))]
    assert keys == ["conv:8x8:1->8:k3:s2", "depthwise:4x4:8:k3:s1", "conv:4x4:8->8:k1:s1"]


def test_latency_table_built_on_the_emulator_and_summed(tmp_path: Path) -> None:
    net = tmp_path / "tiny.json"
    net.write_text(json.dumps(NET))
    out = tmp_path / "lut.json"
    cmd = [str(TINYNAS), "latency", "build", "--netspec", str(net), "--board", "stm32f746", "--limit", "1",
           "-o", str(out), "--json"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    table = load_table(out)
    assert (table.board, table.runner, table.emulated, table.kind) == ("stm32f746", "qemu", True,
                                                                       "emulated-instructions")
    assert table.unit == "emulated_instructions" and table.clock_hz == 216_000_000
    assert len(table.entries) == 1 and all(v > 100 for v in table.entries.values())
    spec = parse_netspec(NET)
    with pytest.raises(InputError, match="no entry for layer"):
        table.latency_ms(spec)  # --limit 1 left two layers out
    missing = table.missing(spec)
    assert len(missing) == 2
    table.entries.update({key: 1000.0 for key in missing})
    expected = sum(table.entries.values()) * 1e3 / 216e6
    assert table.latency_ms(spec) == pytest.approx(expected)
