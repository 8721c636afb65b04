"""Every package installs on its own and reports its version."""

import importlib

import pytest


@pytest.mark.parametrize(
    "module", ["tinyengine_runtime", "tinyengine_codegen", "tinynas", "mcu_bench"]
)
def test_package_has_semver_version(module: str) -> None:
    version = importlib.import_module(module).__version__
    assert len(version.split(".")) == 3 and all(part.isdigit() for part in version.split("."))


def test_runtime_exposes_its_c_sources() -> None:
    import tinyengine_runtime as rt

    assert (rt.include_dir() / "tinyengine" / "te_types.h").is_file()
    assert rt.include_dir() / "tinyengine" / "te_types.h" in rt.headers()
