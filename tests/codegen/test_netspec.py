"""netspec/1 parsing: round trip, and one clear message per kind of mistake."""

import json

import pytest

from tinyengine_codegen.frontend.netspec import (
    NetspecError,
    dump_netspec,
    load_netspec,
    netspec_to_dict,
    parse_netspec,
)

GOOD = {
    "format": "netspec/1",
    "name": "tiny",
    "input": {"resolution": 32, "channels": 3},
    "stem": {"out_channels": 8, "kernel_size": 3, "stride": 2},
    "blocks": [
        {"type": "mbconv", "expand_ratio": 1, "kernel_size": 3, "stride": 1, "out_channels": 8},
        {"type": "mbconv", "expand_ratio": 4, "kernel_size": 5, "stride": 2, "out_channels": 16},
    ],
    "head": {"mix_channels": None, "pool": "avg", "num_classes": 10},
}


def test_round_trip_through_a_file(tmp_path):
    spec = parse_netspec(GOOD)
    dump_netspec(spec, tmp_path / "net.json")
    again = load_netspec(tmp_path / "net.json")
    assert again == spec
    assert netspec_to_dict(again) == GOOD


def test_residual_only_when_stride_one_and_channels_match():
    spec = parse_netspec(GOOD)
    assert spec.block_in_channels() == [8, 8]
    assert spec.is_residual(0) and not spec.is_residual(1)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["blocks"][0].update(kernal_size=3), "unknown key 'kernal_size'"),
        (lambda d: d["blocks"][1].update(kernel_size=4), "blocks[1].kernel_size: must be one of 3, 5, 7"),
        (lambda d: d["stem"].update(out_channels=0), "stem.out_channels: must be a positive integer"),
        (lambda d: d.update(format="netspec/9"), "unknown format 'netspec/9'"),
        (lambda d: d["head"].pop("num_classes"), "missing key 'num_classes'"),
    ],
)
def test_mistakes_are_named(mutate, message):
    doc = json.loads(json.dumps(GOOD))
    mutate(doc)
    with pytest.raises(NetspecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_netspec(doc, source="net.json")


def test_unreadable_and_invalid_json_files(tmp_path):
    with pytest.raises(NetspecError, match="cannot read"):
        load_netspec(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(NetspecError, match="not valid JSON"):
        load_netspec(bad)
