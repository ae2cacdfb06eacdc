"""Weight files (npz, JSON, safetensors): write, read back, and fit into a network.

All three carry the network spec, so a file alone says how to compute with
it.  Layer ``l`` has ``W{l}`` (fan_in, fan_out) and ``b{l}`` (fan_out,), float32;
the model computes ``a = f_l(a @ W_l + b_l)`` from the input features (after
``(x - input_shift) / input_scale`` when those are set).  The README's *File
formats* section documents each layout.

Every write goes to a temporary file that is flushed, fsynced and renamed
over the target (:func:`atomic_write`), so a crash mid-save leaves the old
file whole.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import struct
import tempfile
import time
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import IO, Any

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.fields import Fields
from dlviz.core.network import LayerSpec, NetworkSpec, ParamLayout

WEIGHTS_FORMAT = "dlviz-weights"
WEIGHTS_VERSION = 1
WEIGHT_SUFFIXES = (".npz", ".json", ".safetensors")
MAX_WEIGHTS_BYTES = 256 * 1024 * 1024
#: Largest array a dlviz file holds unpacked (100 000 points take 1.6 MB, the widest
#: network's weights 2.6 MB): a zip member that unpacks to more is refused.
MAX_ARRAY_BYTES = 64 * 1024 * 1024
FLOAT32_MAX = float(np.finfo(np.float32).max)
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


# ---------------------------------------------------------------- spec <-> dict


def spec_to_dict(spec: NetworkSpec) -> dict[str, Any]:
    d = asdict(spec)
    d["hidden"] = [asdict(h) for h in spec.hidden]
    d["features"] = list(spec.features)
    d["input_shift"] = list(spec.input_shift)
    d["input_scale"] = list(spec.input_scale)
    return d


def spec_from_dict(d: Any, kind: Any = None, where: str = "the network description") -> NetworkSpec:
    """Rebuild a spec from JSON; a malformed one raises :class:`DlvizError` naming ``where``.

    Files written before the spec recorded ``n_inputs`` get it from the data kind
    saved beside it (``kind``): a curve's x alone, else x1 and x2.
    """
    f = Fields(d, where)
    absent = f.doc.get("n_inputs") is None
    n_inputs = (1 if kind == "curve" else 2) if absent else f.integer("n_inputs")
    hidden = tuple(
        LayerSpec(h.integer("width"), h.text("activation"), h.number("dropout", 0.0))
        for h in f.objects("hidden")
    )
    return NetworkSpec(
        features=tuple(f.texts("features")),
        hidden=hidden,
        n_outputs=f.integer("n_outputs"),
        output=f.text("output"),
        loss=f.text("loss"),
        init=f.text("init", "xavier"),
        input_shift=tuple(f.numbers("input_shift", [])),
        input_scale=tuple(f.numbers("input_scale", [])),
        n_inputs=n_inputs,
    )


# ---------------------------------------------------------------- writers


def _layer_arrays(spec: NetworkSpec, params: np.ndarray) -> dict[str, np.ndarray]:
    layout = ParamLayout.of(spec.sizes)
    out: dict[str, np.ndarray] = {}
    for layer in range(layout.n_layers):
        out[f"W{layer}"] = np.ascontiguousarray(layout.weight(params, layer), np.float32)
        out[f"b{layer}"] = np.ascontiguousarray(layout.bias(params, layer), np.float32)
    return out


def _header(spec: NetworkSpec, info: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": WEIGHTS_FORMAT,
        "version": WEIGHTS_VERSION,
        "spec": spec_to_dict(spec),
        "data": info,
    }


def npz_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "format": np.array(WEIGHTS_FORMAT),
        "version": np.array(WEIGHTS_VERSION),
        "spec": np.array(json.dumps(spec_to_dict(spec))),
        "data": np.array(json.dumps(info)),
        **_layer_arrays(spec, params),
    }
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def json_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    arrays = _layer_arrays(spec, params)
    layers = [
        {
            "activation": spec.activations[i],
            "W": [[float(v) for v in row] for row in arrays[f"W{i}"]],
            "b": [float(v) for v in arrays[f"b{i}"]],
        }
        for i in range(spec.n_layers)
    ]
    doc = {**_header(spec, info), "layers": layers}
    return (json.dumps(doc, indent=1) + "\n").encode()


def safetensors_bytes(spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]) -> bytes:
    """The safetensors layout: u64 header length, JSON header, raw little-endian tensors."""
    arrays = _layer_arrays(spec, params)
    header: dict[str, Any] = {
        "__metadata__": {
            "format": WEIGHTS_FORMAT,
            "version": str(WEIGHTS_VERSION),
            "spec": json.dumps(spec_to_dict(spec)),
            "data": json.dumps(info),
        }
    }
    offset = 0
    blobs = []
    for name, arr in arrays.items():
        raw = arr.astype("<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # tensors start 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


WRITERS: dict[str, Callable[[NetworkSpec, np.ndarray, dict[str, Any]], bytes]] = {
    ".npz": npz_bytes,
    ".json": json_bytes,
    ".safetensors": safetensors_bytes,
}


def save_weights(
    path: str | os.PathLike[str], spec: NetworkSpec, params: np.ndarray, info: dict[str, Any]
) -> None:
    """Write weights in the format the file name's suffix names (.npz, .json, .safetensors)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    writer = WRITERS.get(suffix)
    if writer is None:
        raise DlvizError(
            f"cannot tell the weights format from '{suffix or os.fspath(path)}'; "
            f"use {', '.join(WEIGHT_SUFFIXES)}"
        )
    data = writer(spec, params, info)
    with atomic_write(path) as fh:
        fh.write(data)


# ---------------------------------------------------------------- readers


def _fill(spec: NetworkSpec, arrays: dict[str, Any], name: str) -> np.ndarray:
    """Flat params from named layer arrays, naming the layer and shapes on a mismatch."""
    layout = ParamLayout.of(spec.sizes)
    params = np.zeros(layout.size, np.float32)
    for layer in range(layout.n_layers):
        for key, view in (
            (f"W{layer}", layout.weight(params, layer)),
            (f"b{layer}", layout.bias(params, layer)),
        ):
            if key not in arrays:
                raise DlvizError(f"{name} has no array '{key}' (layer {layer + 1})")
            given = arrays[key]
            if isinstance(given, np.ndarray) and given.dtype.kind not in "biuf":
                # text, dates, complex: NumPy would parse, cast or drop a part without a word
                raise DlvizError(f"{name}: '{key}' holds {given.dtype}, not real numbers")
            try:
                wide = np.asarray(given, dtype=np.float64)
            except (TypeError, ValueError, OverflowError):
                raise DlvizError(f"{name}: '{key}' is not an array of numbers") from None
            if not np.all(np.abs(wide) <= FLOAT32_MAX):  # NaN fails too
                raise DlvizError(f"{name}: '{key}' holds NaN, infinite or too large weights")
            arr = wide.astype(np.float32)
            if arr.shape != view.shape:
                raise DlvizError(
                    f"{name}: layer {layer + 1} {key} has shape {arr.shape}, "
                    f"the network needs {view.shape}"
                )
            view[...] = arr
    if not np.isfinite(params).all():
        raise DlvizError(f"{name} contains NaN or infinite weights")
    return params


def _check_header(fmt: Any, version: Any, name: str) -> None:
    if fmt != WEIGHTS_FORMAT:
        raise DlvizError(f"{name} is not a dlviz weights file (format '{fmt}')")
    try:
        if isinstance(version, bool):
            raise TypeError("a truth value is no version")
        v = int(version)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
        raise DlvizError(f"{name}: the format version '{version}' is not a number") from None
    if v > WEIGHTS_VERSION:
        raise DlvizError(f"{name} was written by a newer dlviz (format {v}); upgrade dlviz")


def _parse_npz(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    files: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for member in z.namelist():
            if member.endswith(".npy"):
                key = member[: -len(".npy")]
                raw = zip_member(z, member, MAX_ARRAY_BYTES, name)
                files[key] = npy_array(raw, f"{name}: '{key}'")
    for key in ("format", "spec"):
        if key not in files:
            raise DlvizError(f"{name} is not a dlviz weights file (no '{key}' entry)")
    _check_header(str(files["format"]), files.get("version"), name)
    info = _info(json.loads(str(files.get("data", "{}"))), name)
    spec = spec_from_dict(json.loads(str(files["spec"])), info.get("kind"))
    return spec, _fill(spec, files, name), info


def _parse_json(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, dict):
        raise DlvizError(f"{name} is not a dlviz weights file (not a JSON object)")
    _check_header(doc.get("format"), doc.get("version"), name)
    info = _info(doc.get("data") or {}, name)
    spec = spec_from_dict(doc.get("spec"), info.get("kind"))
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise DlvizError(f"{name} has no 'layers' list")
    arrays: dict[str, Any] = {}
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            raise DlvizError(f"{name}: layer {i + 1} is not an object with W and b")
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.get("W"), layer.get("b")
    return spec, _fill(spec, arrays, name), info


def _parse_safetensors(data: bytes, name: str) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    if len(data) < 8:
        raise DlvizError(f"{name} is too short to be a safetensors file")
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise DlvizError(f"{name} is truncated (header of {size} bytes announced)")
    header = json.loads(data[8 : 8 + size].decode("utf-8"))
    if not isinstance(header, dict):
        raise DlvizError(f"{name}: the safetensors header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict):
        raise DlvizError(f"{name}: the safetensors metadata is malformed")
    _check_header(meta.get("format"), meta.get("version"), name)
    for key in ("spec", "data"):
        if not isinstance(meta.get(key, ""), str):
            raise DlvizError(f"{name}: the safetensors metadata '{key}' is not JSON text")
    info = _info(json.loads(meta.get("data", "{}")), name)
    spec = spec_from_dict(json.loads(meta.get("spec", "null")), info.get("kind"))
    body = data[8 + size :]
    arrays: dict[str, Any] = {}
    for key, entry in header.items():
        try:
            start, end = (int(v) for v in entry["data_offsets"])
            shape = tuple(int(v) for v in entry["shape"])
            dtype = entry["dtype"]
        except (KeyError, TypeError, ValueError):
            raise DlvizError(f"{name}: tensor '{key}' has a malformed entry") from None
        if dtype != "F32":
            raise DlvizError(f"{name}: tensor '{key}' is {dtype}; dlviz reads F32 weights")
        if not (0 <= start <= end <= len(body)) or end - start != 4 * int(np.prod(shape)):
            raise DlvizError(f"{name}: tensor '{key}' lies outside the file (truncated?)")
        arrays[key] = np.frombuffer(body[start:end], "<f4").reshape(shape)
    return spec, _fill(spec, arrays, name), info


#: The kinds of data a weights file can say it was trained on.
DATA_KINDS = ("classify", "regress", "curve")


def _info(info: Any, name: str) -> dict[str, Any]:
    """The file's description of its data, checked: its kind decides how outputs read."""
    if not isinstance(info, dict):
        raise DlvizError(f"{name}: the 'data' entry is malformed")
    kind = info.setdefault("kind", "classify")
    if kind not in DATA_KINDS:
        raise DlvizError(
            f"{name}: unknown data kind {kind!r} (dlviz writes {', '.join(DATA_KINDS)}); "
            "the file is damaged"
        )
    return info


def zip_member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """One member's bytes, never more than ``limit`` (a zip bomb or a lying header is refused)."""
    info = archive.getinfo(member)
    if info.flag_bits & 0x1:  # zipfile would raise RuntimeError asking for a password
        raise DlvizError(f"{name}: '{member}' is encrypted; dlviz files never are")
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
    # what NumPy's header parser raises for a damaged header (it tokenizes a Python dict
    # literal: an unclosed bracket is a TokenError)
    except (ValueError, TypeError, SyntaxError, EOFError, tokenize.TokenError) as exc:
        raise DlvizError(f"{what} is not a valid .npy array ({str(exc)[:80]})") from None
    if dtype.hasobject:
        raise DlvizError(f"{what} holds Python objects; dlviz reads plain numbers only")
    need = dtype.itemsize
    for n in shape:
        need *= n
    if need > len(raw) - buf.tell():
        raise DlvizError(f"{what} is truncated: its header promises more data than it holds")
    return np.load(io.BytesIO(raw), allow_pickle=False)


READERS = {".npz": _parse_npz, ".json": _parse_json, ".safetensors": _parse_safetensors}


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


def load_weights(
    path: str | os.PathLike[str],
) -> tuple[NetworkSpec, np.ndarray, dict[str, Any]]:
    """Read a weights file (.npz, .json, .safetensors): (spec, flat params, data info)."""
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise DlvizError(f"{name}: dlviz reads weights from {', '.join(WEIGHT_SUFFIXES)} files")
    data = read_bytes(name, MAX_WEIGHTS_BYTES, "weights file")
    try:
        spec, params, info = reader(data, name)
    except DlvizError:
        raise
    # What damaged bytes raise in zipfile, zlib, struct and json (RecursionError: nesting
    # too deep). Not TypeError, KeyError, AttributeError or IndexError: the readers check
    # each field (Fields), so one of those is a bug in dlviz and must surface as one.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
            struct.error, zlib.error, RecursionError, NotImplementedError) as exc:  # fmt: skip
        raise DlvizError(f"{name} is damaged or not a dlviz weights file ({exc})") from None
    width = 1 if info.get("kind") == "curve" else 2
    if spec.n_inputs != width:
        raise DlvizError(
            f"{name}: its network reads {spec.n_inputs} inputs per point, but {info['kind']} "
            f"data has {width}; the file is damaged"
        )
    return spec, params, info


def _inputs_text(spec: NetworkSpec) -> str:
    """How a network sees its inputs: raw, or shifted and scaled first."""
    if not spec.input_shift:
        return "the raw inputs"
    shift = ", ".join(f"{v:.4g}" for v in spec.input_shift)
    scale = ", ".join(f"{v:.4g}" for v in spec.input_scale)
    return f"inputs normalised by shift ({shift}) and scale ({scale})"


def _same_normalisation(a: NetworkSpec, b: NetworkSpec) -> bool:
    if bool(a.input_shift) != bool(b.input_shift):
        return False
    if not a.input_shift:
        return True
    return bool(
        len(a.input_shift) == len(b.input_shift)
        and np.allclose(a.input_shift, b.input_shift, rtol=1e-6, atol=1e-9)
        and np.allclose(a.input_scale, b.input_scale, rtol=1e-6, atol=1e-9)
    )


def weights_mismatch(target: NetworkSpec, source: NetworkSpec, name: str) -> list[str]:
    """What makes weights made for ``source`` compute something else in ``target``.

    The shapes are assumed equal; each entry names the difference and the
    change to the target network that fixes it.
    """
    problems: list[str] = []
    if target.n_inputs != source.n_inputs:
        problems.append(
            f"{name} reads {source.n_inputs} inputs per point; this network reads "
            f"{target.n_inputs}: open data of the kind it was trained on"
        )
    if target.features != source.features:
        want, have = ", ".join(source.features), ", ".join(target.features)
        problems.append(
            f"{name} was trained on the input features {want}; this network uses {have}: "
            f"select the features {want}"
        )
    if not _same_normalisation(target, source):
        problems.append(
            f"{name} expects {_inputs_text(source)}; this network takes {_inputs_text(target)}: "
            "open the project it was trained in, or train it again without --normalise"
        )
    pairs = zip(source.hidden, target.hidden, strict=True)  # same shapes: same layer count
    for i, (want_layer, have_layer) in enumerate(pairs, start=1):
        want, have = want_layer.activation, have_layer.activation
        if want != have:
            problems.append(
                f"{name} was trained with {want} in hidden layer {i}; this network uses "
                f"{have}: set layer {i} to {want}"
            )
    if target.output != source.output:
        problems.append(
            f"{name} was trained with a {source.output} output ({source.loss} loss); this "
            f"network has a {target.output} output ({target.loss} loss): set Output to "
            f"{source.output} with the {source.loss} loss (on data of the kind it was made for)"
        )
    return problems


def fit_weights(
    target: NetworkSpec, source: NetworkSpec, params: np.ndarray, name: str
) -> list[str]:
    """Check that weights made for ``source`` compute the same in a network built as ``target``.

    The shapes must match, and so must everything that changes the network's
    predictions: input features, input normalisation, every activation and
    the output.  A mismatch raises :class:`DlvizError` naming each difference
    and what to change (e.g. ``w.npz was trained with tanh in hidden layer 1;
    this network uses relu: set layer 1 to tanh``): loading would otherwise
    succeed and silently predict something else.  Returns notes on differences
    that leave the predictions alone (the loss) for the caller to show.
    """
    if target.sizes != source.sizes:
        if len(target.sizes) != len(source.sizes):
            raise DlvizError(
                f"{name} has {source.n_layers} weight layers ({source.describe()}); "
                f"this network has {target.n_layers} ({target.describe()})"
            )
        for layer in range(target.n_layers):
            want = (target.sizes[layer], target.sizes[layer + 1])
            have = (source.sizes[layer], source.sizes[layer + 1])
            if want != have:
                raise DlvizError(
                    f"{name}: layer {layer + 1} has weights of shape {have}, "
                    f"this network needs {want}"
                )
    problems = weights_mismatch(target, source, name)
    if len(problems) == 1:
        raise DlvizError(f"{problems[0]}, or train this network afresh")
    if problems:
        raise DlvizError(
            f"{name} was made for another network ({source.describe()}; this one is "
            f"{target.describe()}), so it would predict something else here:\n- "
            + "\n- ".join(problems)
            + "\nChange the network to match, or train it afresh."
        )
    notes: list[str] = []
    if target.loss != source.loss:
        notes.append(
            f"it was trained with the {source.loss} loss; this network trains with {target.loss}"
        )
    return notes
