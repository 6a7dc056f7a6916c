"""Take a clip's results home: its record as JSON and CSV and its figures as PNG files."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llm_ssd.records.rows import flat_record, safe_row

DECIMALS = 3
"""Numbers in a downloaded record keep this many decimals: the models' outputs carry no more."""
SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def rounded(value: Any) -> Any:
    """A JSON value with every float rounded to `DECIMALS` (nested dicts and lists too)."""
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, Mapping):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def stem(source: str) -> str:
    """A file-name stem from a clip's name: its stem with anything but letters, digits, `_.-`
    replaced, so a download never lands outside its folder."""
    name = SAFE_NAME.sub("_", Path(source).stem).strip("._") or "clip"
    return name[:80]


def write_record(record: Mapping[str, Any], folder: Path) -> list[Path]:
    """The record as `<clip>.json` (rounded, nested) and `<clip>.csv` (one flat row, no cell
    a spreadsheet would run)."""
    folder.mkdir(parents=True, exist_ok=True)
    data = rounded(dict(record))
    base = folder / stem(str(record.get("source", "clip")))
    json_path = base.with_suffix(".json")
    json_path.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8"
    )
    row = flat_record(data)
    csv_path = base.with_suffix(".csv")
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(row))
        writer.writeheader()
        writer.writerow(safe_row(row))
    return [json_path, csv_path]


def write_figures(images: Mapping[str, bytes], source: str, folder: Path) -> list[Path]:
    """Each figure, given as a PNG file's bytes, as `<clip>_<name>.png`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in images.items():
        path = folder / f"{stem(source)}_{stem(name)}.png"
        path.write_bytes(data)
        paths.append(path)
    return paths
