"""Safe file I/O for every dlviz format: atomic writes, and bounded reads of untrusted files.

* :func:`atomic_write`: a crash mid-save leaves the old file whole (and a
  killed writer's temporary files are removed by the next save there);
  :func:`check_writable` refuses an output that cannot be written, before any work;
* :func:`read_bytes`: a whole regular file, refused above a size limit;
* :func:`zip_member` and :func:`npy_array`: a member of a zip archive and a
  ``.npy`` array, checked before anything is allocated (zip bombs, lying
  headers, pickles).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import tempfile
import time
import tokenize
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


# ---------------------------------------------------------------- atomic writes

#: Temporary files are named ``.dlviz-<writer's process id>-<random>.tmp`` beside their
#: target, so the next save there can tell a dead writer's leftovers from a live save's.
TEMP_PREFIX = ".dlviz-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.dlviz-(?:(\d+)-)?[A-Za-z0-9_]+\.tmp$")
#: A temporary file this old is stale whoever wrote it (no save takes an hour); the
#: older naming carries no process id, so age alone tells.
STALE_TEMP_SECONDS = 3600.0


def _temp_prefix() -> str:
    return f"{TEMP_PREFIX}{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another save of this process (the app saves from a worker thread)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temporaries(folder: str) -> list[str]:
    """Delete our temporary files in ``folder`` whose writer is gone (killed mid-save) or
    that are old; returns their paths.  A live save's file is never touched."""
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None:
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        pid = match.group(1)
        old = now - info.st_mtime > STALE_TEMP_SECONDS
        if old or (pid is not None and not _alive(int(pid))):
            with contextlib.suppress(OSError):
                os.unlink(path)
                removed.append(path)
    return removed


def _write_target(target: str, label: str = "") -> str:
    """The file a save to ``target`` replaces: a symbolic link's target (the link stays);
    a device, pipe or socket is refused (the rename would put a file in its place)."""
    real = os.path.realpath(target) if os.path.islink(target) else target
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return real  # a new file
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise DlvizError(
            f"cannot write {label or target}: it is a device, pipe or socket, not a file"
        )
    return real


def check_writable(path: str | os.PathLike[str], what: str = "") -> None:
    """Refuse, before any work, an output that cannot be written: a folder, a folder that
    does not exist or is read-only.  A temporary file is made and removed beside it."""
    target = os.fspath(path)
    label = f"{what} {target}" if what else target
    if not target:
        raise DlvizError(f"{what or 'output'}: the file name is empty; give one")
    if target.endswith(("/", os.sep)) or os.path.isdir(target):
        raise DlvizError(f"cannot write {label}: it is a folder; give a file name")
    target = _write_target(target, label)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise DlvizError(f"cannot write {label}: the folder {folder} does not exist")
    try:
        longest = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        longest = 255
    if len(os.fsencode(os.path.basename(target))) > longest:
        raise DlvizError(f"cannot write {label}: the name is longer than {longest} bytes")
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(), suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise DlvizError(f"cannot write {label}: {exc.strerror or exc}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    The file gets the permissions a plain ``open`` would give it (those of the
    file it replaces, or the umask's), not the temporary file's private 0600:
    an exported model is meant to be shared.
    """
    target = _write_target(os.fspath(path))
    try:
        permissions = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        permissions = 0o666 & ~_UMASK
    folder = os.path.dirname(os.path.abspath(target))
    remove_stale_temporaries(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(), suffix=TEMP_SUFFIX, dir=folder)
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
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(name)
        # a device or pipe (/dev/zero, a FIFO) would be read forever, or block the open
        if not stat.S_ISREG(mode):
            raise DlvizError(f"{name} is a device or pipe, not a {what}")
        with open(name, "rb") as fh:
            data = fh.read(limit + 1)  # the file may have grown since
        if len(data) > limit:
            raise DlvizError(f"{name} is larger than {limit // 2**20} MB; not a {what}")
        return data
    except FileNotFoundError:
        raise DlvizError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise DlvizError(f"{name} is a folder, not a {what}") from None
    except OSError as exc:
        raise DlvizError(f"cannot read {name}: {exc.strerror or exc}") from None


def zip_member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """One member's bytes, never more than ``limit`` (a zip bomb or a lying header is refused)."""
    info = archive.getinfo(member)
    if info.flag_bits & 0x1:  # zipfile would raise RuntimeError asking for a password
        raise DlvizError(f"{name}: '{member}' is encrypted; dlviz files never are")
    if info.file_size > limit:
        raise DlvizError(
            f"{name}: '{member}' unpacks to {info.file_size:,} bytes, more than a dlviz file holds"
        )
    try:
        with archive.open(info) as fh:
            data = fh.read(limit + 1)
    # zipfile seeks to where a damaged entry says its data starts: before the file's
    # start, it raises ValueError ("negative seek value"); raised by zipfile here, it is
    # the file's fault, not dlviz's
    except ValueError as exc:
        raise DlvizError(f"{name} is damaged: '{member}' cannot be read ({exc})") from None
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
    # what NumPy's header parser raises for a damaged header (it tokenizes a Python dict
    # literal: an unclosed bracket is a TokenError; an empty tuple as the dtype, an
    # IndexError); only NumPy's own calls are in this try
    except (ValueError, TypeError, IndexError, SyntaxError, EOFError, tokenize.TokenError) as exc:
        raise DlvizError(f"{what} is not a valid .npy array ({str(exc)[:80]})") from None
    if dtype.hasobject:
        raise DlvizError(f"{what} holds Python objects; dlviz reads plain numbers only")
    need = dtype.itemsize
    for n in shape:
        need *= n
    if need > len(raw) - buf.tell():
        raise DlvizError(f"{what} is truncated: its header promises more data than it holds")
    try:
        return np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as exc:  # the data does not fit the header after all
        raise DlvizError(f"{what} is not a valid .npy array ({str(exc)[:80]})") from None


def json_document(raw: bytes | str, what: str) -> Any:
    """A JSON document from a file's bytes or text, or a message saying what is damaged.

    Only what damaged text raises is caught, here where it is raised: a ValueError
    further on (a shape mismatch, ``zip(strict=True)``) is a bug and must surface as one.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text)
    except UnicodeDecodeError:
        raise DlvizError(f"{what} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise DlvizError(f"{what} is not valid JSON ({exc})") from None
    except RecursionError:
        raise DlvizError(f"{what} is nested too deeply to be a dlviz file") from None
