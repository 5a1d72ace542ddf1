"""Structure files as text: which format a file is, decompression, byte-order marks, binary junk.

One table (:data:`FORMATS`) says which file names mean which format; the directory scan of
every command uses the same table, so a scan finds exactly the files the readers read.
"""

from __future__ import annotations

import bz2
import fnmatch
import gzip
import io
import lzma
import os
from pathlib import Path
from typing import Any

from symcompile.errors import InputError

#: The message for a file name that is empty (``Path("")`` would silently mean the working directory).
EMPTY_PATH = "empty file name '' (an unset shell variable?)"

#: Largest structure file read (bytes, after decompression): a million-atom xyz file is about 50 MB.
MAX_FILE_BYTES = 512 * 2 ** 20

#: Compression suffixes, recognised by content (magic bytes) as well.
COMPRESSIONS = (".gz", ".bz2", ".xz")

#: Format -> file-name patterns (lower case, compression suffixes stripped first).
FORMATS: dict[str, tuple[str, ...]] = {
    "cif": ("*.cif", "*.mcif"),
    "poscar": ("poscar*", "contcar*", "*.vasp", "*.poscar"),
    "vasprun": ("vasprun*.xml",),
    "xyz": ("*.xyz", "*.extxyz"),
    "json": ("*.json",),
    "pymatgen": ("*.cssr", "*.xsf", "*.res"),
}

#: Control characters that do not occur in text files (tab, newlines, form feed allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v")
_MAGIC: tuple[tuple[bytes, Any], ...] = (
    (b"\x1f\x8b", lambda raw: gzip.GzipFile(fileobj=raw)), (b"BZh", bz2.BZ2File), (b"\xfd7zXZ\x00", lzma.LZMAFile))


def strip_compression(name: str) -> str:
    """``'x.cif.gz'`` -> ``'x.cif'`` (lower case)."""
    name = name.lower()
    for suffix in COMPRESSIONS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def format_of_name(path: str | os.PathLike[str]) -> str | None:
    """The format a file name announces (``None`` if the name says nothing).

    >>> format_of_name("data/CONTCAR.bz2"), format_of_name("run/vasprun.xml.gz"), format_of_name("a.txt")
    ('poscar', 'vasprun', None)
    """
    name = strip_compression(os.path.basename(os.fspath(path)))
    for fmt, patterns in FORMATS.items():
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return fmt
    return None


def is_structure_file(path: Path) -> bool:
    """Does the directory scan pick this file up? (The name announces a format the readers read.)"""
    return path.is_file() and format_of_name(path) is not None


def _too_large() -> InputError:
    return InputError(f"the file is larger than {MAX_FILE_BYTES // 2 ** 20} MiB (after decompression): not a "
                      "structure file symcompile reads")


def _decompressed(data: bytes) -> bytes:
    for magic, opener in _MAGIC:
        if data.startswith(magic):
            try:
                with opener(io.BytesIO(data)) as stream:
                    out: bytes = stream.read(MAX_FILE_BYTES + 1)
            except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
                raise InputError(f"corrupt compressed file ({one_line_error(exc)})") from None
            if len(out) > MAX_FILE_BYTES:
                raise _too_large()
            return out
    return data


def one_line_error(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a structure file: decompressed, BOM removed; InputError for anything not text."""
    if not os.fspath(path):
        raise InputError(EMPTY_PATH)
    file = Path(path)
    if not file.exists():
        raise InputError("file not found")
    if file.is_dir():
        raise InputError("is a directory, not a structure file")
    try:
        with open(file, "rb") as stream:  # a pipe (<(zcat x.cif.gz)) is read like a file
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    data = _decompressed(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError("not a structure file (undecodable UTF-16 text)") from None
    if not data.strip():
        raise InputError("empty file")
    if b"\x00" in data:
        raise InputError("not a structure file (binary data)")
    text = data.decode("utf-8", errors="replace")
    suspicious = len(data) - len(data.translate(None, _CONTROL_BYTES)) + text.count("\ufffd")
    if suspicious > max(8, len(text) // 50):
        raise InputError("not a structure file (binary data)")
    return text


def format_of(path: str | os.PathLike[str], text: str) -> str:
    """The format of a file: by its name, else by its first meaningful line; ``"other"`` if unknown."""
    fmt = format_of_name(path)
    if fmt is not None:
        return fmt
    head = next((line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")),
                "")
    if head.lower().startswith("data_"):
        return "cif"
    if head.startswith(("{", "[")):
        return "json"
    if head.startswith("<?xml") and "<modeling>" in text[:2000]:
        return "vasprun"
    if head.split()[:1] and head.split()[0].isdigit() and len(head.split()) == 1:
        return "xyz"
    return "other"
