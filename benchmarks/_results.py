"""Where every benchmark writes its figures: one JSON document, whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_results(path: Path, doc: Any) -> None:
    """Write ``doc`` as indented JSON to ``path`` (folders created; temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(path)
