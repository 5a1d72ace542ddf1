"""Shared checks of written pictures: the format by its magic bytes, and the text an SVG shows."""

from __future__ import annotations

import re
from pathlib import Path

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml"}


def svg_text(path: Path) -> str:
    """All text of an SVG written with svg.fonttype='none' (XML escapes and no-break spaces undone)."""
    raw = path.read_text(encoding="utf-8")
    assert "<svg" in raw
    texts = re.findall(r"<text[^>]*>(.*?)</text>", raw, flags=re.S)
    joined = " ".join(re.sub(r"<[^>]+>", "", t) for t in texts)
    return joined.replace("&#45;", "-").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&#39;", "'").replace("\xa0", " ")


def assert_picture(path: Path, min_bytes: int = 10_000) -> None:
    """The file exists, starts with its format's magic bytes and is not trivially small; no temporary file left."""
    data = path.read_bytes()
    assert data.startswith(MAGIC[path.suffix]), data[:16]
    assert len(data) > min_bytes, len(data)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.")], "temporary file left"
