"""Sizes with units: kB = KiB = 1024 B (as MCUNet counts), decimals, plain bytes, clear errors."""

import pytest

from tinyengine_codegen.units import SizeError, format_kb, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("320KB", 320 * 1024),
        ("320kB", 320 * 1024),
        ("512KiB", 512 * 1024),
        ("1MB", 1024 * 1024),
        ("1.5MB", 1536 * 1024),
        ("2 MiB", 2 * 1024 * 1024),
        ("4096", 4096),
        ("100B", 100),
        ("1G", 1024**3),
        (" 64k ", 64 * 1024),
        (2048, 2048),
    ],
)
def test_sizes_parse(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["32OKB", "", "KB", "1.5", "-3KB", "12 parsecs", "1e3KB", "1,5MB"])
def test_bad_sizes_name_the_value_and_the_option(text):
    with pytest.raises(SizeError) as info:
        parse_size(text, "--sram")
    message = str(info.value)
    assert message.startswith("--sram:") and repr(text) in message and "\n" not in message


def test_format_kb():
    assert format_kb(89616) == "87.5 kB"
