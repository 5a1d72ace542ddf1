"""Writing a change of basis to the ``.npy`` file the user named, and to no other.

numpy appends ``.npy`` to a name without it and overwrites whatever is there; here the name must
end in ``.npy`` (so the file written is the file reported), an existing file is replaced only if
it is itself a ``.npy`` array, and the write is atomic (a temporary file, then a rename).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import numpy as np

from symcompile.errors import InputError

__all__ = ["write_npy"]

_NPY_MAGIC = b"\x93NUMPY"


def write_npy(path: str | os.PathLike[str], array: np.ndarray) -> str:
    """Write ``array`` to exactly ``path`` (which must end in ``.npy``); return the path written.

    Refuses (InputError, one line) an empty name, a name without ``.npy``, a directory, and an
    existing file that is not a NumPy array file; nothing is written then.

    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "basis.npy")
    >>> write_npy(target, np.eye(3)) == target
    True
    """
    text = os.fspath(path)
    if not text.strip():
        raise InputError("--save-basis needs a file name ending in .npy, got an empty name")
    if not text.lower().endswith(".npy"):
        raise InputError(f"--save-basis needs a file name ending in .npy, got {text!r} "
                         f"(the file written must be the file named)")
    target = Path(text)
    if target.is_dir():
        raise InputError(f"cannot write {text}: it is a directory")
    if target.exists():
        try:
            with open(target, "rb") as handle:
                head = handle.read(len(_NPY_MAGIC))
        except OSError as exc:
            raise InputError(f"cannot write {text}: {exc.strerror or exc}") from None
        if head != _NPY_MAGIC:
            raise InputError(f"refusing to overwrite {text}: it exists and is not a NumPy .npy file")
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as handle:  # the user's umask applies, as for any new file
            np.save(handle, np.asarray(array))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {text}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return text
