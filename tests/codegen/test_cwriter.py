"""The C writer: literals that a C compiler reads back exactly (strings, floats, INT32_MIN)."""

from __future__ import annotations

import subprocess

import numpy as np

from tinyengine_codegen.backend.cwriter import CArray, c_comment, c_identifier, c_string


def _run_c(tmp_path, body: str) -> str:
    source = tmp_path / "t.c"
    source.write_text("#include <stdio.h>\n#include <stdint.h>\n" + body)
    exe = tmp_path / "t"
    cc = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", str(source), "-o", str(exe)]
    subprocess.run(cc, check=True)
    return subprocess.run([str(exe)], capture_output=True, check=True).stdout.decode("utf-8")


def test_literals_round_trip_through_gcc(tmp_path):
    name = 'odd "name" \\ with ??= trigraph, tab\t, é and */ end'
    floats = np.array([0.1, -3.4028235e38, 1.17549435e-38, 7.0, 1e-45], np.float32)
    ints = np.array([-(2**31), 2**31 - 1, 0, -1], np.int32)
    body = (
        f"/* {c_comment(name)} */\n"
        + CArray("f", "float", floats).definition()
        + CArray("i", "int32_t", ints).definition()
        + "int main(void) {\n"
        + f"    printf(\"%s\\n\", {c_string(name)});\n"
        + '    for (int k = 0; k < 5; ++k) printf("%a\\n", (double)f[k]);\n'
        + '    for (int k = 0; k < 4; ++k) printf("%ld\\n", (long)i[k]);\n'
        + "    return 0;\n}\n"
    )
    lines = _run_c(tmp_path, body).split("\n")
    assert lines[0] == name
    assert [float.fromhex(x) for x in lines[1:6]] == [float(v) for v in floats]
    assert [int(x) for x in lines[6:10]] == [int(v) for v in ints]


def test_identifiers():
    assert c_identifier("mnist-lenet 300.100") == "mnist_lenet_300_100"
    assert c_identifier("3d") == "model_3d"
    assert c_identifier("int") == "int_"
    assert c_identifier("***") == "model"
