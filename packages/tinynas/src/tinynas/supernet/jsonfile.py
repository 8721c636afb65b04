"""Read a JSON file that must carry a given ``format`` (errors name the file, one line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tinynas.errors import InputError


def read_format_json(path: str | Path, fmt: str) -> dict[str, Any]:
    """The document in ``path``; InputError unless it is a JSON object with ``"format": fmt``."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(f"{path}: unknown format {found!r} (expected {fmt!r})")
    return doc
