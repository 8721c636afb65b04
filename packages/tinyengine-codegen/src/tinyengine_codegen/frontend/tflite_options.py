"""Decode a TFLite operator's builtin options into a snake_case dict with TFLite's meaning.

Every accessor of the options table becomes a key (``StrideW`` -> ``stride_w``,
``DepthMultiplier`` -> ``depth_multiplier``, ``KeepDims`` -> ``keep_dims``...), vectors become
lists of ints, and enums become their names: ``padding`` is ``"SAME"``/``"VALID"`` and
``fused_activation`` (TFLite's ``FusedActivationFunction``) is ``"NONE"``/``"RELU"``/``"RELU6"``...
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import tflite
from tflite.ActivationFunctionType import ActivationFunctionType
from tflite.BuiltinOptions import BuiltinOptions
from tflite.Padding import Padding

_SKIP_PREFIXES = ("GetRootAs", "Init")
_SKIP_SUFFIXES = ("AsNumpy", "Length", "IsNone", "BufferHasIdentifier")
_RENAMES = {"fused_activation_function": "fused_activation"}


def _enum_names(enum_class: type) -> dict[int, str]:
    return {v: k for k, v in vars(enum_class).items() if not k.startswith("_") and isinstance(v, int)}


_PADDING = _enum_names(Padding)
_ACTIVATION = _enum_names(ActivationFunctionType)
_OPTIONS_CLASS = _enum_names(BuiltinOptions)


def snake_case(name: str) -> str:
    """``DilationWFactor`` -> ``dilation_w_factor``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@cache
def _accessors(cls: type) -> tuple[tuple[str, str, bool], ...]:
    """(method, key, is_vector) for every field accessor of an options class."""
    methods = {m for m in vars(cls) if m[0].isupper() and callable(getattr(cls, m))}
    fields = []
    for m in sorted(methods):
        if m.startswith(_SKIP_PREFIXES) or m.endswith(_SKIP_SUFFIXES):
            continue
        key = snake_case(m)
        fields.append((m, _RENAMES.get(key, key), f"{m}Length" in methods))
    return tuple(fields)


def _value(key: str, raw: Any) -> Any:
    if key == "padding":
        return _PADDING.get(raw, str(raw))
    if key == "fused_activation":
        return _ACTIVATION.get(raw, str(raw))
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return raw


def decode_options(op: tflite.Operator) -> dict[str, Any]:
    """The builtin options of a flatbuffer operator as a dict (empty when it has none)."""
    name = _OPTIONS_CLASS.get(op.BuiltinOptionsType())
    table = op.BuiltinOptions()
    if not name or name == "NONE" or table is None:
        return {}
    cls = getattr(tflite, name, None)
    if cls is None:
        return {}
    obj = cls()
    obj.Init(table.Bytes, table.Pos)
    options: dict[str, Any] = {}
    for method, key, is_vector in _accessors(cls):
        if is_vector:
            options[key] = (
                [int(v) for v in getattr(obj, f"{method}AsNumpy")()]
                if getattr(obj, f"{method}Length")()
                else []
            )
        else:
            options[key] = _value(key, getattr(obj, method)())
    return options
