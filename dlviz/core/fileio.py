"""Safe file I/O for every dlviz format: atomic writes, and bounded reads of untrusted files.

* :func:`atomic_write`: a crash mid-save leaves the old file whole;
* :func:`read_bytes`: a whole file, refused above a size limit;
* :func:`zip_member` and :func:`npy_array`: a member of a zip archive and a
  ``.npy`` array, checked before anything is allocated (zip bombs, lying
  headers, pickles).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from dlviz.core.errors import DlvizError

#: Largest array a dlviz file holds unpacked (100 000 points take 1.6 MB, the widest
#: network's weights 2.6 MB): a zip member that unpacks to more is refused.
MAX_ARRAY_BYTES = 64 * 1024 * 1024
#: The process's umask, read once at import (reading it means setting it: not later,
#: while other threads may be creating files).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    The file gets the permissions a plain ``open`` would give it (those of the
    file it replaces, or the umask's), not the temporary file's private 0600:
    an exported model is meant to be shared.
    """
    target = os.fspath(path)
    try:
        permissions = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        permissions = 0o666 & ~_UMASK
    folder = os.path.dirname(os.path.abspath(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dlviz-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DlvizError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, permissions)
        os.replace(tmp, target)
        with contextlib.suppress(OSError):  # make the rename itself durable where possible
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise DlvizError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise


# ---------------------------------------------------------------- bounded reads


def read_bytes(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    name = os.fspath(path)
    try:
        if os.path.getsize(name) > limit:
            raise DlvizError(f"{name} is larger than {limit // 2**20} MB; not a {what}")
        with open(name, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise DlvizError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise DlvizError(f"{name} is a folder, not a {what}") from None
    except OSError as exc:
        raise DlvizError(f"cannot read {name}: {exc.strerror or exc}") from None


def zip_member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """One member's bytes, never more than ``limit`` (a zip bomb or a lying header is refused)."""
    info = archive.getinfo(member)
    if info.file_size > limit:
        raise DlvizError(
            f"{name}: '{member}' unpacks to {info.file_size:,} bytes, more than a dlviz file holds"
        )
    with archive.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise DlvizError(f"{name}: '{member}' unpacks to more than its header says")
    return data


def npy_array(raw: bytes, what: str) -> np.ndarray:
    """An array from ``.npy`` bytes, checked before NumPy allocates anything.

    ``np.load`` trusts the header's shape and allocates it first: a few hundred
    bytes declaring 10^13 elements would raise MemoryError.  No pickles either.
    """
    buf = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise DlvizError(f"{what} is a .npy array of an unsupported version {version}")
    except DlvizError:
        raise
    except (ValueError, TypeError, SyntaxError, EOFError) as exc:
        raise DlvizError(f"{what} is not a valid .npy array ({str(exc)[:80]})") from None
    if dtype.hasobject:
        raise DlvizError(f"{what} holds Python objects; dlviz reads plain numbers only")
    need = dtype.itemsize
    for n in shape:
        need *= n
    if need > len(raw) - buf.tell():
        raise DlvizError(f"{what} is truncated: its header promises more data than it holds")
    return np.load(io.BytesIO(raw), allow_pickle=False)
