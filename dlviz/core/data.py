"""Datasets: the presets, points a user adds or moves, the train/test split, CSV files.

Three kinds of data:

* ``classify``: points (x1, x2) with integer labels 0..7, or images with labels 0..9;
* ``regress``: points (x1, x2) with a real target value;
* ``curve``: 1-D curve fitting, points (x, y) where the input is x and the target y.

A dataset holds points or images: an image set (``image_shape`` set) keeps each
image as one row of height × width pixels in [0, 1], and those pixels are the
network's inputs (no feature map).  :mod:`dlviz.core.images` reads image sets.

Presets live on the plane [-6, 6]² (curves on x in [-1, 1]) like TensorFlow
Playground's, and are generated from a seed, so the same settings always give
the same points.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write, read_bytes

Kind = Literal["classify", "regress", "curve"]

CLASSIFY_PRESETS = ("circle", "xor", "gauss", "spiral", "moons", "rings", "checkerboard", "blobs")
REGRESS_PRESETS = ("plane", "multigauss", "hill")
CURVE_PRESETS = ("line", "sine", "step", "textbook-line")
PRESETS = CLASSIFY_PRESETS + REGRESS_PRESETS + CURVE_PRESETS
MULTICLASS_PRESETS = ("spiral", "rings", "checkerboard", "blobs")
MAX_CLASSES = 8
#: Image data (digits) has up to 10 classes (the palette for it has 10 colours).
MAX_IMAGE_CLASSES = 10
#: Points, or images (MNIST's 70 000 fit).
MAX_POINTS = 100_000
#: 100 000 rows of long floats fit with room to spare; larger is not a dataset.
MAX_CSV_BYTES = 32 * 1024 * 1024
PLANE = (-6.0, 6.0, -6.0, 6.0)
CURVE_X = (-1.0, 1.0)


def preset_kind(name: str) -> Kind:
    if name in REGRESS_PRESETS:
        return "regress"
    if name in CURVE_PRESETS:
        return "curve"
    return "classify"


#: Normalised inputs stay within this many scales of the training mean, test points too:
#: training points 1e-24 apart and a test point 4e14 away would otherwise normalise past
#: float32's range (inf).  x1² of such a point is then at most 1e24, still a number.
MAX_STANDARD_SCORE = 1e12


@dataclass
class Dataset:
    """Points, targets, kind and the train/test split of one dataset."""

    points: np.ndarray  # float32 (n, 2): canvas positions; curve: (x, y)
    targets: np.ndarray  # classify: int64 labels; regress/curve: float32 values
    kind: Kind
    n_classes: int  # classify: number of classes; otherwise 0
    is_test: np.ndarray  # bool (n,): held out from training
    name: str = "custom"
    bounds: tuple[float, float, float, float] = field(default=PLANE)
    #: (height, width) of image data, whose rows in ``points`` are its pixels; () for points.
    image_shape: tuple[int, ...] = field(default=())
    #: Image pixels are whole multiples of 1/levels (8-bit files: 255; UCI digits: 16):
    #: a project stores them as small integers and reads back the same float32 values.
    levels: int = 255

    def __post_init__(self) -> None:
        self.image_shape = tuple(int(v) for v in self.image_shape)
        width = self.image_shape[0] * self.image_shape[1] if self.image_shape else 2
        self.points = np.ascontiguousarray(self.points, dtype=np.float32).reshape(-1, width)
        dtype = np.int64 if self.kind == "classify" else np.float32
        self.targets = np.ascontiguousarray(self.targets, dtype=dtype).reshape(-1)
        self.is_test = np.ascontiguousarray(self.is_test, dtype=bool).reshape(-1)

    @property
    def n(self) -> int:
        return int(self.points.shape[0])

    def __len__(self) -> int:
        return self.n

    @property
    def is_image(self) -> bool:
        return bool(self.image_shape)

    @property
    def inputs(self) -> np.ndarray:
        """What the network reads: (x1, x2), x alone for curve data, an image's pixels."""
        return self.points[:, :1] if self.kind == "curve" else self.points

    @property
    def train_inputs(self) -> np.ndarray:
        return self.inputs[~self.is_test]

    @property
    def train_targets(self) -> np.ndarray:
        return self.targets[~self.is_test]

    @property
    def test_inputs(self) -> np.ndarray:
        return self.inputs[self.is_test]

    @property
    def test_targets(self) -> np.ndarray:
        return self.targets[self.is_test]

    def copy(self) -> Dataset:
        return Dataset(
            self.points.copy(),
            self.targets.copy(),
            self.kind,
            self.n_classes,
            self.is_test.copy(),
            self.name,
            self.bounds,
            self.image_shape,
            self.levels,
        )

    def working_copy(self) -> Dataset:
        """A copy for another owner (the worker, the undo stack), or the same data.

        The canvas edits points in place, so each owner needs its own; nothing
        edits image data in place (a new split is a new Dataset around the same
        pixels), so image data is shared: MNIST's pixels are 188 MB as float32.
        """
        return self if self.is_image else self.copy()

    def _points_only(self, what: str) -> None:
        if self.is_image:
            raise DlvizError(f"image data has no points to {what}; draw on the pad instead")

    # ------------------------------------------------------------ editing

    def add_point(
        self,
        x: float,
        y: float,
        value: float,
        rng: np.random.Generator,
        test_ratio: float = 0.0,
    ) -> int:
        """Add a point; ``value`` is its class or regression target. Returns its index."""
        self._points_only("add")
        if self.n >= MAX_POINTS:
            raise DlvizError(f"the dataset already has {MAX_POINTS} points, the most dlviz takes")
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(value)):
            raise DlvizError("a point needs finite coordinates and value")
        if self.kind == "classify":
            label = int(value)
            if not 0 <= label < MAX_CLASSES:
                raise DlvizError(f"class {label} is out of range; use 0..{MAX_CLASSES - 1}")
            self.n_classes = max(self.n_classes, label + 1, 2)
            target: float = label
        else:
            target = y if self.kind == "curve" else value
        self.points = np.vstack([self.points, np.array([[x, y]], np.float32)])
        self.targets = np.append(self.targets, np.array([target], self.targets.dtype))
        self.is_test = np.append(self.is_test, bool(rng.random() < test_ratio))
        return self.n - 1

    def remove_near(self, x: float, y: float, radius: float) -> int:
        """Remove every point within ``radius`` of (x, y); returns how many went."""
        self._points_only("remove")
        d2 = (self.points[:, 0] - x) ** 2 + (self.points[:, 1] - y) ** 2
        keep = d2 > radius * radius
        removed = int(self.n - keep.sum())
        if removed:
            self.points, self.targets, self.is_test = (
                self.points[keep],
                self.targets[keep],
                self.is_test[keep],
            )
        return removed

    def move_point(self, index: int, x: float, y: float) -> None:
        self._points_only("move")
        self.points[index] = (x, y)
        if self.kind == "curve":
            self.targets[index] = y

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """Index of the point closest to (x, y) within ``radius``, or None."""
        if self.n == 0 or self.is_image:
            return None
        d2 = (self.points[:, 0] - x) ** 2 + (self.points[:, 1] - y) ** 2
        i = int(np.argmin(d2))
        return i if d2[i] <= radius * radius else None

    def with_test_ratio(self, ratio: float, seed: int) -> Dataset:
        if self.is_image:  # the same pixels (never edited in place), another split
            return replace(self, is_test=split_mask(self.n, ratio, seed))
        out = self.copy()
        out.is_test = split_mask(self.n, ratio, seed)
        return out

    def normalisation(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (float32) of the training inputs; a zero std becomes 1.

        The scale is at least 1/MAX_STANDARD_SCORE of the farthest point's distance
        from the mean, test points included, so every point normalises to a float32
        number (a larger scale only for data no person means).
        """
        x = self.train_inputs.astype(np.float64)
        if x.shape[0] == 0:
            d = self.inputs.shape[1]
            return np.zeros(d, np.float32), np.ones(d, np.float32)
        mean = x.mean(axis=0)
        inputs = self.inputs
        reach = np.maximum(np.abs(inputs.max(axis=0) - mean), np.abs(inputs.min(axis=0) - mean))
        scale = np.maximum(x.std(axis=0), reach / MAX_STANDARD_SCORE).astype(np.float32)
        return mean.astype(np.float32), np.where(scale > 0, scale, 1.0).astype(np.float32)


def data_info(data: Dataset) -> dict[str, Any]:
    """What a saved or exported model records about its data: kind, classes, bounds
    (and an image set's height and width)."""
    info: dict[str, Any] = {
        "kind": data.kind,
        "n_classes": data.n_classes,
        "bounds": list(data.bounds),
    }
    if data.is_image:
        info["image_shape"] = list(data.image_shape)
    return info


#: Largest seed: NumPy takes any whole number from 0; a project keeps it in JSON (int64).
MAX_SEED = 2**63 - 1


def check_seed(seed: int) -> None:
    """Refuse a seed NumPy cannot seed with, naming the range."""
    if not 0 <= seed <= MAX_SEED:
        raise DlvizError(f"seed {seed} is out of range; use a whole number from 0 to {MAX_SEED}")


def split_mask(n: int, test_ratio: float, seed: int) -> np.ndarray:
    """Exactly round(n·ratio) test points, chosen by a seeded permutation."""
    check_seed(seed)
    if not 0.0 <= test_ratio <= 0.9:
        raise DlvizError(f"test ratio {test_ratio} is out of range; use 0 to 0.9")
    mask = np.zeros(n, dtype=bool)
    mask[np.random.default_rng(seed + 7919).permutation(n)[: round(n * test_ratio)]] = True
    return mask


def curve_bounds(
    points: np.ndarray, x_range: tuple[float, float] = CURVE_X
) -> tuple[float, float, float, float]:
    ys = points[:, 1] if points.size else np.array([-1.0, 1.0])
    lo, hi = float(min(ys.min(), -1.0)), float(max(ys.max(), 1.0))
    pad = 0.15 * (hi - lo)
    return (x_range[0] - 0.1, x_range[1] + 0.1, lo - pad, hi + pad)


# ---------------------------------------------------------------- generators


def _classify(name: str, n: int, noise: float, k: int, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    u = rng.uniform
    if name == "circle":  # inside (class 0) vs a ring around it (class 1)
        half = n // 2
        r = np.concatenate([u(0, 2.5, half), u(3.5, 5.0, n - half)])
        a = u(0, 2 * np.pi, n)
        pts = np.column_stack([r * np.cos(a), r * np.sin(a)]) + u(-5, 5, (n, 2)) * noise
        labels = (np.hypot(pts[:, 0], pts[:, 1]) > 3.0).astype(np.int64)
        return pts, labels
    if name == "xor":
        pts = u(-5, 5, (n, 2))
        pts += np.where(pts > 0, 0.3, -0.3)
        labels = (pts[:, 0] * pts[:, 1] < 0).astype(np.int64)
        return pts + u(-5, 5, (n, 2)) * noise, labels
    if name == "gauss":
        labels = np.arange(n) % 2
        centres = np.where(labels[:, None] == 0, 2.0, -2.0)
        return centres + rng.normal(0, 1.0 + 3.0 * noise, (n, 2)), labels
    if name == "moons":
        labels = np.arange(n) % 2
        t = u(0, np.pi, n)
        x = np.where(labels == 0, np.cos(t), 1 - np.cos(t))
        y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
        pts = np.column_stack([(x - 0.5) * 3.6, (y - 0.25) * 3.6])
        return pts + rng.normal(0, 1.2 * noise + 1e-9, (n, 2)), labels
    if name == "spiral":  # k interleaved arms, 1.75 turns each
        labels = np.arange(n) % k
        i = np.arange(n) // k
        m = max(int(np.ceil(n / k)), 1)
        r = i / m * 5.0 + 0.2
        t = 1.75 * i / m * 2 * np.pi + 2 * np.pi * labels / k
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        return pts + u(-1, 1, (n, 2)) * noise, labels
    if name == "rings":  # concentric rings, classes alternating outward
        rings = 4 if k == 2 else k
        ring = np.arange(n) % rings
        width = 5.6 / rings
        r = (ring + u(0.15, 0.85, n)) * width + rng.normal(0, width * noise + 1e-9, n)
        a = u(0, 2 * np.pi, n)
        return np.column_stack([r * np.cos(a), r * np.sin(a)]), (ring % k).astype(np.int64)
    if name == "checkerboard":
        pts = u(-6, 6, (n, 2))
        cells = np.floor((pts + 6) / 3).astype(np.int64).clip(0, 3)
        labels = (cells[:, 0] + cells[:, 1]) % k if k == 2 else (cells[:, 0] + 2 * cells[:, 1]) % k
        return pts + rng.normal(0, 1.5 * noise + 1e-9, (n, 2)), labels
    # blobs: k gaussian clusters on a circle
    labels = np.arange(n) % k
    angle = 2 * np.pi * labels / k + np.pi / 4
    centres = np.column_stack([4 * np.cos(angle), 4 * np.sin(angle)])
    return centres + rng.normal(0, 0.7 + 1.5 * noise, (n, 2)), labels


def _regress(name: str, n: int, noise: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    pts = rng.uniform(-6, 6, (n, 2))
    if name == "plane":
        target = (pts[:, 0] + pts[:, 1]) / 12.0
    elif name == "hill":  # one smooth bump with values in (0, 1]: a sigmoid output can fit it
        target = np.exp(-(pts[:, 0] ** 2 + pts[:, 1] ** 2) / 8.0)
    else:  # multigauss: six signed bumps
        centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
                   (4, -2.5, -1)]  # fmt: skip
        target = np.zeros(n)
        for cx, cy, sign in centres:
            target += sign * np.exp(-((pts[:, 0] - cx) ** 2 + (pts[:, 1] - cy) ** 2) / 2.5)
        target = np.clip(target, -1, 1)
    return pts, target + rng.uniform(-1, 1, n) * noise


def _curve(name: str, n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    if name == "textbook-line":
        # the textbook's own regression example: x in [0, 1] and uniform noise centred on
        # zero, so that gradient descent recovers w = 3 and b = 2 exactly as noise -> 0
        x = rng.uniform(0.0, 1.0, n)
        return np.column_stack([x, 3 * x + 2 + rng.uniform(-1, 1, n) * noise])
    x = rng.uniform(*CURVE_X, n)
    if name == "line":
        y = 3 * x + 2
    elif name == "sine":
        y = np.sin(np.pi * x)
    else:
        y = (x > 0).astype(np.float64)
    return np.column_stack([x, y + rng.normal(0, 1, n) * noise])


def make_dataset(
    name: str,
    *,
    n: int | None = None,
    noise: float = 0.0,
    classes: int = 2,
    test_ratio: float = 0.5,
    seed: int = 0,
) -> Dataset:
    """Generate a preset; the same arguments always give the same points."""
    check_seed(seed)
    name = name.strip().lower()
    if name not in PRESETS:
        raise DlvizError(f"unknown dataset '{name}'; choose from {', '.join(PRESETS)}")
    if not 0.0 <= noise <= 1.0:
        raise DlvizError(f"noise {noise} is out of range; use 0 to 1")
    if not 2 <= classes <= MAX_CLASSES:
        raise DlvizError(f"{classes} classes is out of range; use 2 to {MAX_CLASSES}")
    if classes > 2 and name not in MULTICLASS_PRESETS:
        raise DlvizError(
            f"preset '{name}' has 2 classes; use {', '.join(MULTICLASS_PRESETS)} for more"
        )
    kind = preset_kind(name)
    if n is None:
        # multi-class presets keep the points per class of the 2-class default
        per_class = 100 if name == "blobs" else 200
        n = per_class * classes if name in MULTICLASS_PRESETS else (60 if kind == "curve" else 400)
    if not 1 <= n <= MAX_POINTS:
        raise DlvizError(f"{n} points is out of range; use 1 to {MAX_POINTS}")
    rng = np.random.default_rng(seed)
    mask = split_mask(n, test_ratio, seed)
    if kind == "classify":
        pts, labels = _classify(name, n, noise, classes, rng)
        return Dataset(pts, labels, kind, classes, mask, name)
    if kind == "regress":
        pts, target = _regress(name, n, noise, rng)
        return Dataset(pts, target, kind, 0, mask, name)
    pts = _curve(name, n, noise, rng)
    x_range = (0.0, 1.0) if name == "textbook-line" else CURVE_X
    return Dataset(pts, pts[:, 1], kind, 0, mask, name, curve_bounds(pts, x_range))


def empty_dataset(kind: Kind, n_classes: int = 2) -> Dataset:
    """A dataset with no points, for drawing from scratch."""
    bounds = curve_bounds(np.zeros((0, 2))) if kind == "curve" else PLANE
    return Dataset(
        np.zeros((0, 2)),
        np.zeros(0),
        kind,
        n_classes if kind == "classify" else 0,
        np.zeros(0, bool),
        "custom",
        bounds,
    )


# ---------------------------------------------------------------- CSV

_COLUMNS = {"classify": "x1,x2,label", "regress": "x1,x2,value", "curve": "x,y"}
#: Header names of the third column that decide the kind whatever the values look like.
LABEL_COLUMNS = ("label", "class")
VALUE_COLUMNS = ("value", "target")
#: Largest magnitude a CSV value may have: squared features (x1sq, x1x2) and squared
#: errors of such values stay finite in float32 (1e30 < 3.4e38).
MAX_CSV_VALUE = 1e15


def shown(text: str, most: int = 40) -> str:
    """A cell of a file as an error message may show it: at most ``most`` characters, and
    control characters (a NUL byte, an escape sequence) written as escapes, not sent raw to
    a terminal or a dialog."""
    cut = text.strip()[:most]
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in cut)


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DlvizError(f"{where}: '{shown(text)}' is not a number") from None
    if not math.isfinite(value):
        raise DlvizError(f"{where}: {shown(text)} is not a finite number")
    if abs(value) > MAX_CSV_VALUE:
        limit = f"{MAX_CSV_VALUE:.0e}".replace("e+", "e")
        raise DlvizError(
            f"{where}: {shown(text)} is too large; values must be within ±{limit} "
            "(rescale that column)"
        )
    return value


def _unquote(cell: str) -> str:
    """A cell without the quotes a spreadsheet may put around it (``"0.1"``, ``'label'``)."""
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "\"'":
        return cell[1:-1].strip()
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _looks_real(cell: str) -> bool:
    return any(c in cell for c in ".eE") or cell.strip().lower() in ("nan", "inf", "-inf")


def _rows(text: str, source: str) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """(header cells or None, data rows as (line number, cells)), blank and ``#`` lines skipped.

    The first row is a header when none of its cells is a number; any other row
    is data, so a mistyped first row is reported with its line number.
    """
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        rows.append((number, [_unquote(c) for c in stripped.split(",")]))
    header = None
    if rows and not any(_is_number(cell) for cell in rows[0][1]):
        header = [cell.lower() for cell in rows[0][1]]
        rows = rows[1:]
    if not rows:
        raise DlvizError(f"{source} has no data rows; expected lines like 0.5,-1.2,1")
    if len(rows) > MAX_POINTS:
        raise DlvizError(f"{source} has {len(rows)} points; dlviz handles at most {MAX_POINTS}")
    return header, rows


def _third_column_kind(header: list[str] | None) -> Kind | None:
    """The kind a header's third column name decides (``label`` or ``value``), if any."""
    if header is None:
        return None
    names = header[:-1] if header and header[-1] == "split" else header
    if len(names) != 3:
        return None
    if names[2] in LABEL_COLUMNS:
        return "classify"
    if names[2] in VALUE_COLUMNS:
        return "regress"
    return None


def _infer_kind(values: np.ndarray, cells: list[str]) -> Kind:
    """Classification or regression from third-column values when no header decides.

    Values written as integers are labels (out of range is an error); values
    written as reals are labels only when every one is a whole number 0..7
    (``1.0``, as spreadsheets export labels), otherwise regression targets.
    """
    if not any(_looks_real(cell) for cell in cells):
        return "classify"
    whole = np.all(values == np.round(values))
    in_range = np.all((values >= 0) & (values < MAX_CLASSES))
    return "classify" if whole and in_range else "regress"


def parse_csv_text(
    text: str,
    *,
    source: str = "<text>",
    kind: Kind | None = None,
    test_ratio: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Parse dataset CSV text; any problem raises :class:`DlvizError` naming the line.

    ``kind`` forces the kind; without it the column count, then the header's
    third column name (``label``/``class`` or ``value``/``target``), then the
    values decide (see :func:`_infer_kind`).
    """
    header, rows = _rows(text, source)
    has_split = rows[0][1][-1].lower() in ("train", "test")
    width = len(rows[0][1]) - has_split
    if kind is None:
        if width not in (2, 3):
            raise DlvizError(
                f"{source} line {rows[0][0]}: expected 3 values (x1,x2,label), "
                f"3 (x1,x2,value) or 2 (x,y), found {width}"
            )
        kind = "curve" if width == 2 else _third_column_kind(header)
    expected = 2 if kind == "curve" else 3
    columns = (_COLUMNS[kind] if kind else _COLUMNS["classify"]) + (",split" if has_split else "")
    count = expected + has_split
    values = np.empty((len(rows), expected), np.float64)
    test = np.zeros(len(rows), bool)
    for i, (number, cells) in enumerate(rows):
        where = f"{source} line {number}"
        if len(cells) != count:
            raise DlvizError(f"{where}: expected {count} values ({columns}), found {len(cells)}")
        if has_split:
            split = cells[-1].lower()
            if split not in ("train", "test"):
                raise DlvizError(
                    f"{where}: split must be 'train' or 'test', not '{shown(cells[-1])}'"
                )
            test[i] = split == "test"
        values[i] = [_number(c, where) for c in cells[:expected]]
    if kind is None:
        kind = _infer_kind(values[:, 2], [cells[2] for _, cells in rows])
    if kind == "classify":
        third = values[:, 2]
        bad = np.flatnonzero((third != np.round(third)) | (third < 0) | (third >= MAX_CLASSES))
        if bad.size:
            i = int(bad[0])
            problem = "is out of range" if third[i] == round(third[i]) else "is not a whole number"
            raise DlvizError(
                f"{source} line {rows[i][0]}: label {shown(rows[i][1][2])} {problem}; labels "
                f"must be integers 0..{MAX_CLASSES - 1} (at most {MAX_CLASSES} classes); for "
                "regression values start the file with the header x1,x2,value"
            )
    if not has_split:
        test = split_mask(len(rows), test_ratio, seed)
    name = os.path.splitext(os.path.basename(source))[0] or "custom"
    if kind == "classify":
        labels = values[:, 2].astype(np.int64)
        n_classes = max(2, int(labels.max()) + 1)
        return Dataset(values[:, :2], labels, kind, n_classes, test, name)
    if kind == "regress":
        return Dataset(values[:, :2], values[:, 2], kind, 0, test, name)
    return Dataset(values, values[:, 1], kind, 0, test, name, curve_bounds(values))


def dataset_notes(dataset: Dataset, test_split_expected: bool = True) -> list[str]:
    """What a user gets from data that trains but cannot teach much: said, not refused.

    ``test_split_expected=False``: the data has no test split by design (a shipped
    example's), so its absence is no news.
    """
    notes = []
    if dataset.kind == "classify" and dataset.n:
        present = np.unique(np.asarray(dataset.targets, np.int64))
        if present.size == 1:
            notes.append(
                f"every point is class {int(present[0])}: the network can only learn to answer "
                f"{int(present[0])} everywhere (a trivial classifier); add points of another class"
            )
    if test_split_expected and dataset.n and not dataset.is_test.any():
        notes.append(
            f"no test points among the {dataset.n}: there will be no test loss or accuracy; "
            "raise the test ratio or add points"
        )
    return notes


def _read_text(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    data = read_bytes(name, MAX_CSV_BYTES, "CSV file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DlvizError(f"{name} is not a UTF-8 text file; save it as CSV text") from None


def read_csv(
    path: str | os.PathLike[str],
    kind: Kind | None = None,
    *,
    test_ratio: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Read a dataset CSV (see the README's *File formats*)."""
    return parse_csv_text(
        _read_text(path), source=os.fspath(path), kind=kind, test_ratio=test_ratio, seed=seed
    )


def write_csv(dataset: Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``dataset`` with a header and a split column; ``read_csv`` reads it back exactly."""
    if dataset.is_image:
        raise DlvizError("image data is not written as CSV; save a project (.dlviz) to keep it")
    header = _COLUMNS[dataset.kind] + ",split"
    lines = [header]
    for point, target, test in zip(dataset.points, dataset.targets, dataset.is_test, strict=True):
        split = "test" if test else "train"
        # repr of a Python float round-trips the float32 value exactly
        x, y = repr(float(point[0])), repr(float(point[1]))
        if dataset.kind == "curve":
            lines.append(f"{x},{y},{split}")
        elif dataset.kind == "classify":
            lines.append(f"{x},{y},{int(target)},{split}")
        else:
            lines.append(f"{x},{y},{float(target)!r},{split}")
    with atomic_write(path) as fh:  # a crash mid-save leaves the old file whole
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))


def read_points_csv(path: str | os.PathLike[str], n_inputs: int) -> np.ndarray:
    """Input points for prediction: the first ``n_inputs`` numbers of each row (float32).

    An image network's rows are its pixels (``n_inputs`` of them, in [0, 1]).
    """
    source = os.fspath(path)
    _, rows = _rows(_read_text(path), source)
    out = np.empty((len(rows), n_inputs), np.float32)
    cols = {1: "x", 2: "x1,x2"}.get(n_inputs, "pixels, row by row")
    for i, (number, cells) in enumerate(rows):
        where = f"{source} line {number}"
        if len(cells) < n_inputs:
            raise DlvizError(f"{where}: expected {n_inputs} values ({cols}), found {len(cells)}")
        out[i] = [_number(c, where) for c in cells[:n_inputs]]
    return out
