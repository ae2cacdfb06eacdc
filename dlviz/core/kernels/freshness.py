"""Whether kernels cached on disk were compiled from the constants in force now.

Numba's and numba-cuda's disk caches know only the time stamp of the file a
kernel is written in.  The kernels also freeze what other modules declare:
the activation table's formulas and codes (:mod:`dlviz.core.activations`),
the optimizer and loss codes, and dropout's hash.  :data:`FINGERPRINT` digests
all of them; each compiled engine compares it with the one its cache was
built under and, when they differ, deletes that cache so it compiles afresh.
"""

from __future__ import annotations

import glob
import hashlib
import os
from contextlib import suppress
from typing import Any

from dlviz.core import activations, network, optim


def fingerprint() -> int:
    """A 56-bit digest of every constant compiled into the kernels (fits an int64)."""
    digest = hashlib.sha256()
    with open(activations.__file__, "rb") as fh:  # the formulas are code: the file itself
        digest.update(fh.read())
    frozen = (
        sorted(optim.OPTIMIZER_CODE.items()),
        sorted(network.LOSS_CODE.items()),
        network.DROPOUT_HASH_BITS,
        network.DROPOUT_GOLDEN,
        network.DROPOUT_MIX1,
        network.DROPOUT_MIX2,
        network.DROPOUT_SHIFTS,
    )
    digest.update(repr(frozen).encode())
    return int.from_bytes(digest.digest()[:7], "little")


#: The constants' digest in this process.
FINGERPRINT = fingerprint()


def with_sources(*paths: str) -> int:
    """:data:`FINGERPRINT` combined with the bytes of kernel files a kernel calls into
    (Numba inlines them into its cache entry, yet checks only its own file's time stamp)."""
    digest = hashlib.sha256(str(FINGERPRINT).encode())
    for path in paths:
        with open(path, "rb") as fh:
            digest.update(fh.read())
    return int.from_bytes(digest.digest()[:7], "little")


def drop_cached(folder: str, source: str) -> None:
    """Delete the kernels cached in ``folder`` for the kernel file ``source``."""
    stem = os.path.splitext(os.path.basename(source))[0]
    for path in glob.glob(os.path.join(folder, f"{stem}.*.nb[ic]")):
        with suppress(OSError):  # another process may be doing the same
            os.remove(path)


def drop_if_stale(compiled: Any, expected: int, source: str) -> bool:
    """For a kernel file whose kernels have ``compiled`` (a jitted function returning the
    fingerprint they were built with) compiled in: delete that file's cached kernels if it
    differs from ``expected``.  True when a cache was dropped."""
    if compiled() == expected:
        return False
    drop_cached(str(compiled.stats.cache_path), source)
    return True


def stamp_path(folder: str, source: str) -> str:
    """The file beside a cache that records the fingerprint its kernels were built under."""
    stem = os.path.splitext(os.path.basename(source))[0]
    return os.path.join(folder, f"{stem}.fingerprint")


def refresh_stamped(folder: str, source: str) -> bool:
    """For a cache that cannot hold the fingerprint itself (numba-cuda's kernels run
    only on a GPU): drop it unless its stamp is :data:`FINGERPRINT`, then stamp it.
    True when a cache was dropped."""
    stamp = stamp_path(folder, source)
    try:
        with open(stamp, encoding="ascii") as fh:
            if fh.read().strip() == str(FINGERPRINT):
                return False
    except (OSError, UnicodeDecodeError):  # no stamp yet, or unreadable: not known fresh
        pass
    drop_cached(folder, source)
    with suppress(OSError):  # an unwritable cache folder: numba cannot cache there either
        os.makedirs(folder, exist_ok=True)
        with open(stamp, "w", encoding="ascii") as fh:
            fh.write(str(FINGERPRINT))
    return True
