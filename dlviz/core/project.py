"""Project files (``.dlviz``): a whole session that resumes exactly where it was saved.

A project is a zip archive with no pickle and nothing executable:

``project.json``   format name, version, the network spec, training settings,
                   dataset description, trainer counters, RNG state, loss
                   history, and an opaque ``ui`` object for the app's own settings
``*.npy``          arrays, each read with ``allow_pickle=False``: dataset
                   ``points``/``targets``/``is_test`` (an image set's ``points``
                   are its pixels as whole numbers 0..levels in uint8, so an
                   MNIST project holds 55 MB that deflate to ~11 MB, not 220 MB
                   of float32; the project carries its images and never depends
                   on the folder they came from); ``params``, ``grads``,
                   ``opt_m``, ``opt_v`` (optimizer state) and ``order`` (this
                   epoch's shuffle)

Opening a project and training on gives the same steps as the session that
saved it would have (same engine).  Older versions are migrated on load
(:data:`MIGRATIONS`); newer or damaged files are refused with a message and
nothing is written.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, fields
from typing import Any, cast

import numpy as np

from dlviz.core.data import (
    MAX_CLASSES,
    MAX_CSV_VALUE,
    MAX_IMAGE_CLASSES,
    MAX_POINTS,
    Dataset,
    Kind,
)
from dlviz.core.errors import DlvizError
from dlviz.core.fields import Fields
from dlviz.core.fileio import (
    MAX_ARRAY_BYTES,
    atomic_write,
    json_document,
    npy_array,
    read_bytes,
    zip_member,
)
from dlviz.core.network import MAX_IMAGE_SIDE
from dlviz.core.optim import OptimizerConfig
from dlviz.core.snapshot import StopReason
from dlviz.core.trainer import HistoryEntry, TrainConfig, Trainer, TrainerState
from dlviz.core.weights import FLOAT32_MAX, spec_from_dict, spec_to_dict

PROJECT_FORMAT = "dlviz-project"
PROJECT_VERSION = 1
PROJECT_SUFFIX = ".dlviz"
MAX_PROJECT_BYTES = 512 * 1024 * 1024
#: project.json holds settings and the loss history (a few MB after a very long run).
MAX_JSON_BYTES = 64 * 1024 * 1024
ARRAYS = ("points", "targets", "is_test", "params", "grads", "opt_m", "opt_v", "order")

#: version -> function upgrading a project.json dict from that version to the next.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
    return buf.getvalue()


def project_bytes(trainer: Trainer, ui: dict[str, Any] | None = None) -> bytes:
    """The project archive for ``trainer``'s current state (and the app's ``ui`` settings)."""
    state = trainer.capture()
    ds = trainer.dataset
    meta = {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "spec": spec_to_dict(trainer.spec),
        "config": {
            "optimizer": asdict(trainer.config.optimizer),
            "batch_size": trainer.config.batch_size,
            "l1": trainer.config.l1,
            "l2": trainer.config.l2,
            "patience": trainer.config.patience,
        },
        "dataset": {
            "kind": ds.kind,
            "n_classes": ds.n_classes,
            "name": ds.name,
            "bounds": list(ds.bounds),
            **({"image_shape": list(ds.image_shape), "levels": ds.levels} if ds.is_image else {}),
        },
        "trainer": {
            "seed": trainer.seed,
            "engine": trainer.engine_choice,
            "normalise": trainer.normalise,
            "opt_t": state.opt_t,
            "pos": state.pos,
            "step": state.step,
            "epoch": state.epoch,
            "samples": state.samples,
            "rng_state": state.rng_state,
            "dropout_seed": state.dropout_seed,
            "best_test": None if math.isinf(state.best_test) else state.best_test,
            "best_epoch": state.best_epoch,
            "loss_ceiling": state.loss_ceiling,
            "epoch_loss": state.epoch_loss,
            "message": state.message,
            "stopped": state.stopped,
            "stop_reason": state.stop_reason,
        },
        "history": [asdict(h) for h in trainer.history],
        "ui": ui or {},
    }
    arrays = {
        "points": _stored_pixels(ds) if ds.is_image else ds.points,
        "targets": ds.targets,
        "is_test": ds.is_test,
        "params": state.params,
        "grads": state.grads,
        "opt_m": state.opt_m,
        "opt_v": state.opt_v,
        "order": state.order,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.json", json.dumps(meta, indent=1))
        for key, arr in arrays.items():
            z.writestr(f"{key}.npy", _npy(arr))
    return buf.getvalue()


def _stored_pixels(ds: Dataset) -> np.ndarray:
    """An image set's pixels as the whole numbers 0..levels they were read as."""
    return np.rint(ds.points * np.float32(ds.levels)).astype(np.uint8)


def save_project(
    path: str | os.PathLike[str], trainer: Trainer, ui: dict[str, Any] | None = None
) -> None:
    """Write a project atomically: a crash mid-save leaves the previous file whole."""
    data = project_bytes(trainer, ui)
    with atomic_write(path) as fh:
        fh.write(data)


def _migrate(meta: dict[str, Any], name: str) -> dict[str, Any]:
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DlvizError(f"{name}: the format version '{version}' is not valid")
    if version > PROJECT_VERSION:
        raise DlvizError(
            f"{name} was saved by a newer dlviz (project format {version}, this one reads "
            f"up to {PROJECT_VERSION}); upgrade dlviz to open it"
        )
    while version < PROJECT_VERSION:
        meta = MIGRATIONS[version](meta)
        version = meta["version"]
    return meta


def _parse(data: bytes, name: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "project.json" not in names:
            raise DlvizError(f"{name} is not a dlviz project (no project.json inside)")
        raw = zip_member(z, "project.json", MAX_JSON_BYTES, name)
        meta = json_document(raw, f"{name}: project.json")
        if not isinstance(meta, dict) or meta.get("format") != PROJECT_FORMAT:
            raise DlvizError(f"{name} is not a dlviz project (wrong format name)")
        meta = _migrate(meta, name)
        arrays = {}
        for key in ARRAYS:
            if f"{key}.npy" not in names:
                raise DlvizError(f"{name} is incomplete: '{key}.npy' is missing")
            raw = zip_member(z, f"{key}.npy", MAX_ARRAY_BYTES, name)
            arrays[key] = npy_array(raw, f"{name}: '{key}.npy'")
            if arrays[key].dtype.kind not in "biuf":  # not text, dates, records, complex
                raise DlvizError(f"{name}: '{key}.npy' holds {arrays[key].dtype}, not numbers")
    return meta, arrays


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray], name: str) -> Trainer:
    top = Fields(meta, f"{name}: project.json")
    d, t, c = top.section("dataset"), top.section("trainer"), top.section("config")
    image_shape, levels = _image_format(d, name)
    width = image_shape[0] * image_shape[1] if image_shape else 2
    n = arrays["points"].shape[0] if arrays["points"].ndim == 2 else -1
    if arrays["points"].shape != (n, width) or arrays["targets"].shape != (n,):
        raise DlvizError(f"{name}: the dataset arrays have inconsistent shapes")
    # image pixels are checked below as the small whole numbers they are (a float64 copy
    # of MNIST's would take 440 MB)
    points_ok = bool(image_shape) or _within(arrays["points"], MAX_CSV_VALUE)
    if arrays["is_test"].shape != (n,) or not points_ok:
        raise DlvizError(f"{name}: the dataset arrays are damaged")
    points = arrays["points"]
    if image_shape:
        if points.dtype != np.uint8 or (points.size and int(points.max()) > levels):
            raise DlvizError(f"{name}: the image pixels are damaged")
        points = points.astype(np.float32)
        points /= np.float32(levels)  # as the image readers scale them
    if n > MAX_POINTS:
        raise DlvizError(f"{name} holds {n:,} points; dlviz takes at most {MAX_POINTS:,}")
    kind, n_classes = cast(Kind, d.text("kind")), d.integer("n_classes")
    if kind not in ("classify", "regress", "curve"):
        raise DlvizError(f"{name}: unknown data kind '{kind}'")
    targets = arrays["targets"].astype(np.float64)
    if not _within(targets, MAX_CSV_VALUE):
        raise DlvizError(f"{name}: the targets are damaged (NaN, infinite or huge values)")
    most_classes = MAX_IMAGE_CLASSES if image_shape else MAX_CLASSES
    if kind == "classify" and not (
        1 <= n_classes <= most_classes
        and np.all(targets == np.round(targets))
        and np.all((targets >= 0) & (targets < n_classes))
    ):
        raise DlvizError(f"{name}: the class labels do not fit its {n_classes} classes")
    bounds = tuple(d.numbers("bounds"))
    if not (len(bounds) == 4 and bounds[0] < bounds[1] and bounds[2] < bounds[3]):
        raise DlvizError(f"{name}: the canvas bounds are damaged")
    dataset = Dataset(
        points,
        targets,
        kind,
        n_classes,
        arrays["is_test"].astype(bool),
        d.text("name", "custom"),
        bounds,
        image_shape,
        levels,
    )
    spec = spec_from_dict(meta.get("spec"), kind, f"{name}: the network ('spec')")
    config = TrainConfig(
        optimizer=_optimizer(c.section("optimizer"), name),
        batch_size=c.integer("batch_size"),
        l1=c.number("l1"),
        l2=c.number("l2"),
        patience=c.integer("patience"),
    )
    trainer = Trainer(
        dataset, spec, config, seed=t.integer("seed"), engine=t.text("engine"),
        normalise=t.flag("normalise"),
    )  # fmt: skip
    if arrays["order"].dtype.kind not in "iu":
        raise DlvizError(f"{name}: the saved shuffle order is not a list of point numbers")
    order = arrays["order"].astype(np.int64)
    if not trainer.order_fits(order):
        raise DlvizError(f"{name}: the saved shuffle order does not match the dataset")
    for key in ("params", "grads", "opt_m", "opt_v"):
        if arrays[key].shape != trainer.params.shape or not _within(arrays[key], FLOAT32_MAX):
            raise DlvizError(f"{name}: '{key}' does not fit the network or is damaged")
    trainer.restore(
        TrainerState(
            params=arrays["params"].astype(np.float32),
            grads=arrays["grads"].astype(np.float32),
            opt_m=arrays["opt_m"].astype(np.float32),
            opt_v=arrays["opt_v"].astype(np.float32),
            opt_t=_count(t, "opt_t", name),
            order=order,
            pos=_count(t, "pos", name, most=order.size),
            step=_count(t, "step", name),
            epoch=_count(t, "epoch", name),
            samples=_count(t, "samples", name),
            rng_state=_rng_state(t.doc.get("rng_state"), name),
            dropout_seed=_count(t, "dropout_seed", name, most=2**63 - 1),
            best_test=_or(t.optional_number("best_test"), math.inf),
            best_epoch=t.integer("best_epoch"),
            loss_ceiling=t.optional_number("loss_ceiling"),
            epoch_loss=t.number("epoch_loss"),
            message=None if t.doc.get("message") is None else t.text("message"),
            stopped=t.flag("stopped", False),
            stop_reason=_stop_reason(t, name),
        )
    )
    trainer.history = [_history_entry(h) for h in top.objects("history", [])]
    return trainer


def _image_format(d: Fields, name: str) -> tuple[tuple[int, ...], int]:
    """An image set's (height, width) and pixel levels; ((), 255) for points."""
    if not d.has("image_shape"):
        return (), 255
    shape = d.items("image_shape")
    levels = d.integer("levels")
    if not (
        len(shape) == 2
        and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_IMAGE_SIDE
            for v in shape
        )  # fmt: skip
        and 1 <= levels <= 255
    ):
        raise DlvizError(f"{name}: the image format (size {shape}, levels {levels}) is damaged")
    return tuple(shape), levels


def _within(values: np.ndarray, most: float) -> bool:
    """Whether every value is a finite number of magnitude at most ``most`` (NaN is not)."""
    return bool(np.all(np.abs(values.astype(np.float64)) <= most))


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _count(saved: Fields, key: str, name: str, most: int = 2**53) -> int:
    """A counter of the saved run (step, position in the epoch...): a whole number in range."""
    value = saved.doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        raise DlvizError(f"{name}: the run's '{key}' ({value!r}) is damaged")
    return value


def _stop_reason(saved: Fields, name: str) -> StopReason:
    """Why the saved run stopped itself (absent in files from before it was saved)."""
    value = saved.doc.get("stop_reason")
    if value not in (None, "diverged", "early_stop"):
        raise DlvizError(f"{name}: the run's 'stop_reason' ({value!r}) is damaged")
    return value


def _rng_state(saved: Any, name: str) -> dict[str, Any]:
    """The saved state of the shuffling RNG, checked by NumPy's own setter.

    The setter is the one authority on what a state holds; what it raises for a
    damaged one (a missing key, a wrong type or name) means exactly that here.
    """
    rng = np.random.default_rng()
    try:
        rng.bit_generator.state = saved
    except (TypeError, ValueError, KeyError, OverflowError):
        raise DlvizError(f"{name}: the saved random-number state is damaged") from None
    return dict(rng.bit_generator.state)


def _optimizer(saved: Fields, name: str) -> OptimizerConfig:
    """The saved optimizer settings, each of the type its field has (JSON can hold anything)."""
    defaults = OptimizerConfig()
    settings: dict[str, Any] = {}
    for key in saved.doc:
        if key not in {f.name for f in fields(OptimizerConfig)}:
            raise DlvizError(f"{name}: unknown optimizer setting '{key}'")
        kind = type(getattr(defaults, key))
        read = {int: saved.integer, float: saved.number, str: saved.text}[kind]
        settings[key] = read(key)
    return OptimizerConfig(**settings)


def _history_entry(h: Fields) -> HistoryEntry:
    return HistoryEntry(
        step=h.integer("step"),
        epoch=h.integer("epoch"),
        train_loss=h.optional_number("train_loss"),
        test_loss=h.optional_number("test_loss"),
        train_accuracy=h.optional_number("train_accuracy"),
        test_accuracy=h.optional_number("test_accuracy"),
    )


def load_project(path: str | os.PathLike[str]) -> tuple[Trainer, dict[str, Any]]:
    """Open a project: (a trainer that continues the saved run, the app's ui settings)."""
    name = os.fspath(path)
    data = read_bytes(name, MAX_PROJECT_BYTES, "project file")
    try:
        meta, arrays = _parse(data, name)
        trainer = _build(meta, arrays, name)
    except DlvizError as exc:
        # a setting out of range (lr 1000) is refused by the class it builds, which does
        # not know the file: the message names it
        if name in str(exc):
            raise
        raise DlvizError(f"{name}: {exc}") from None
    # What damaged bytes raise in zipfile and zlib (JSON and .npy text is checked where it
    # is read). Not ValueError, TypeError, KeyError, AttributeError or IndexError: every
    # field is read through Fields, so one of those is a bug in dlviz and must surface.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError,
            zlib.error, NotImplementedError) as exc:  # fmt: skip
        raise DlvizError(f"{name} is damaged or not a dlviz project ({type(exc).__name__}: "
                         f"{str(exc)[:120]})") from None  # fmt: skip
    ui = meta.get("ui")
    return trainer, ui if isinstance(ui, dict) else {}
