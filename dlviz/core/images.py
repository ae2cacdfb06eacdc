"""Image data: the built-in UCI digits, MNIST's IDX files, folders of PNG images.

Every reader returns a :class:`~dlviz.core.data.Dataset` of kind ``classify``
whose rows are images flattened row by row (height × width pixels, float32 in
[0, 1]) and whose ``image_shape`` says (height, width).  Pixels come from 8-bit
files (``levels`` 255) or the digits' 0..16 (``levels`` 16), so a project can
store them as small integers and get the same float32 values back.

* :func:`load_digits`: 1,797 8×8 images of 10 classes shipped in
  ``dlviz/resources/digits.npz`` (CC BY 4.0, see ``digits-LICENSE.txt``);
* :func:`read_idx_folder`: ``train-images-idx3-ubyte[.gz]`` and
  ``train-labels-idx1-ubyte[.gz]``, with ``t10k-*`` as the test set;
* :func:`read_png_folder`: per-class subfolders ``0/``, ``1/`` … of PNG images
  (optionally under ``train/`` and ``test/``), resized to the first image's size;
* :func:`read_image_folder` tells the two folder layouts apart;
* :data:`IMAGE_PRESETS`: the app's image presets, the data and the course's
  network and optimizer that go with it.

Every problem with a file is one :class:`DlvizError` line naming the file.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from dlviz.core.data import MAX_IMAGE_CLASSES, MAX_POINTS, Dataset, split_mask
from dlviz.core.errors import DlvizError
from dlviz.core.fileio import atomic_write, read_bytes
from dlviz.core.network import MAX_IMAGE_SIDE, LayerSpec, NetworkSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.trainer import TrainConfig

#: The built-in image set's name (``--dataset digits``).
DIGITS = "digits"
#: Side a PNG folder's images are resized to when the first is larger than MAX_IMAGE_SIDE.
DEFAULT_SIDE = 28
#: An IDX file of the most images of the largest side, unpacked.
MAX_IDX_BYTES = 16 + MAX_POINTS * 28 * 28 * 2
#: A PNG in a data folder (MNIST-like images are a few hundred bytes).
MAX_PNG_BYTES = 4 * 1024 * 1024
IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (count, rows, columns)
LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (count)
#: The four IDX files of an MNIST-style folder, by role: (split, images or labels).
IDX_NAMES = {
    ("train", "images"): ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    ("train", "labels"): ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    ("test", "images"): ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    ("test", "labels"): ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


# ---------------------------------------------------------------- presets


@dataclass(frozen=True)
class ImagePreset:
    """An image set and the network and optimizer the course trains on it.

    ``builtin`` data ships with dlviz (:func:`load_digits`); otherwise the user
    points at a folder of files of ``shape`` (MNIST is not shipped).
    """

    name: str
    shape: tuple[int, int]
    hidden: tuple[int, ...]
    builtin: bool
    learning_rate: float
    batch_size: int
    activation: str = "relu"
    optimizer: str = "adam"
    test_ratio: float = 0.2

    def spec(self, n_classes: int = 10) -> NetworkSpec:
        """``pixels``-hidden-classes with ReLU, a softmax output and cross-entropy."""
        return build_spec(
            kind="classify",
            n_classes=n_classes,
            features=(),
            hidden=tuple(LayerSpec(w, self.activation) for w in self.hidden),
            loss="ce",
            init="he",
            image_shape=self.shape,
        )

    def config(self) -> TrainConfig:
        return TrainConfig(
            optimizer=OptimizerConfig(name=self.optimizer, lr=self.learning_rate),
            batch_size=self.batch_size,
        )


#: The app's image presets.  Digits: 64-32-10 reaches about 95 % test accuracy within
#: a few epochs (a few seconds); MNIST: the course's 784-128-10 with Adam at its default
#: rate and batches of 64.
IMAGE_PRESETS = {
    DIGITS: ImagePreset(DIGITS, (8, 8), (32,), True, learning_rate=0.01, batch_size=32),
    "mnist": ImagePreset("mnist", (28, 28), (128,), False, learning_rate=0.001, batch_size=64),
}


# ---------------------------------------------------------------- built in


def load_digits(*, test_ratio: float = 0.2, seed: int = 0) -> Dataset:
    """The UCI optical digits: 1,797 8×8 images, 10 classes, a seeded test split."""
    with resources.files("dlviz").joinpath("resources/digits.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as z:
            pixels, labels = z["pixels"], z["labels"]
    return image_dataset(
        pixels, labels, split_mask(len(labels), test_ratio, seed), (8, 8), 16, DIGITS
    )


def image_dataset(
    pixels: np.ndarray,
    labels: np.ndarray,
    is_test: np.ndarray,
    shape: tuple[int, int],
    levels: int,
    name: str,
) -> Dataset:
    """A classification dataset of whole-number pixels 0..levels, scaled to [0, 1]."""
    n_classes = max(2, int(labels.max()) + 1) if labels.size else 2
    x = pixels.reshape(len(pixels), -1).astype(np.float32)
    x /= np.float32(levels)  # the one scaling every reader and the project loader use
    return Dataset(x, labels.astype(np.int64), "classify", n_classes, is_test, name,
                   image_shape=shape, levels=levels)  # fmt: skip


def subset(data: Dataset, n: int, seed: int) -> Dataset:
    """``n`` rows chosen by a seeded permutation, kept in their original order and split."""
    if not 1 <= n <= data.n:
        raise DlvizError(f"--points {n} is out of range; this data has 1 to {data.n:,} images")
    keep = np.sort(np.random.default_rng(seed + 104729).permutation(data.n)[:n])
    out = data.copy()
    out.points, out.targets, out.is_test = data.points[keep], data.targets[keep], data.is_test[keep]
    return out


# ---------------------------------------------------------------- IDX


def _unpacked(path: str) -> bytes:
    """A file's bytes, gunzipped when it ends in .gz (never more than MAX_IDX_BYTES)."""
    data = read_bytes(path, MAX_IDX_BYTES, "IDX file")
    if not path.endswith(".gz"):
        return data
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, MAX_IDX_BYTES + 1)
    except zlib.error as exc:
        raise DlvizError(f"{path} is not a valid gzip file ({exc})") from None
    if len(out) > MAX_IDX_BYTES:
        raise DlvizError(
            f"{path} unpacks to more than {MAX_IDX_BYTES // 2**20} MB; not an IDX file"
        )
    if not d.eof:
        raise DlvizError(f"{path} is truncated: the gzip stream ends early")
    return out


def read_idx(path: str | os.PathLike[str], magic: int) -> np.ndarray:
    """The uint8 array of one IDX file: (count, rows, columns) images or (count,) labels."""
    name = os.fspath(path)
    data = _unpacked(name)
    ndim = 3 if magic == IMAGE_MAGIC else 1
    what = "images (idx3-ubyte)" if ndim == 3 else "labels (idx1-ubyte)"
    header = 4 + 4 * ndim
    if len(data) < 4 or int.from_bytes(data[:4], "big") != magic:
        found = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
        shown = "none (too short)" if found is None else f"0x{found:08X}"
        raise DlvizError(
            f"{name}: not an IDX file of {what}: magic number {shown}, expected 0x{magic:08X}"
        )
    if len(data) < header:
        raise DlvizError(f"{name} is truncated: its header is cut short")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if ndim == 3 and not all(1 <= side <= MAX_IMAGE_SIDE for side in dims[1:]):
        raise DlvizError(
            f"{name}: images of {dims[1]}×{dims[2]} pixels; dlviz takes sides of 1 to "
            f"{MAX_IMAGE_SIDE}"
        )
    if dims[0] > MAX_POINTS:
        raise DlvizError(f"{name} holds {dims[0]:,} items; dlviz takes at most {MAX_POINTS:,}")
    size = int(np.prod(dims))
    body = len(data) - header
    if body < size:
        raise DlvizError(
            f"{name} is truncated: its header promises {dims[0]:,} items ({size:,} bytes), "
            f"the file holds {body:,}"
        )
    if body > size:
        raise DlvizError(
            f"{name}: its header says {dims[0]:,} items ({size:,} bytes) but {body - size:,} "
            "more bytes follow; the sizes do not match"
        )
    return np.frombuffer(data, np.uint8, size, header).reshape(dims)


def _find(folder: str, names: tuple[str, ...]) -> str | None:
    for base in names:
        for candidate in (base, base + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def is_idx_folder(folder: str) -> bool:
    return _find(folder, IDX_NAMES[("train", "images")]) is not None


def _idx_pair(folder: str, split: str) -> tuple[np.ndarray, np.ndarray] | None:
    images_path = _find(folder, IDX_NAMES[(split, "images")])
    labels_path = _find(folder, IDX_NAMES[(split, "labels")])
    if images_path is None and labels_path is None:
        return None
    if images_path is None or labels_path is None:
        have, want = (images_path, "labels") if labels_path is None else (labels_path, "images")
        prefix = "train" if split == "train" else "t10k"
        raise DlvizError(
            f"{have} has no matching {want} file in {folder}; add {prefix}-{want}-"
            f"idx{'3' if want == 'images' else '1'}-ubyte[.gz]"
        )
    images = read_idx(images_path, IMAGE_MAGIC)
    labels = read_idx(labels_path, LABEL_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise DlvizError(
            f"{images_path} holds {images.shape[0]:,} images but {labels_path} holds "
            f"{labels.shape[0]:,} labels; the sizes do not match"
        )
    if labels.size and labels.max() >= MAX_IMAGE_CLASSES:
        raise DlvizError(
            f"{labels_path}: label {int(labels.max())} is out of range; "
            f"use 0..{MAX_IMAGE_CLASSES - 1}"
        )
    return images, labels


def read_idx_folder(folder: str | os.PathLike[str], *, test_ratio: float = 0.2,
                    seed: int = 0) -> Dataset:  # fmt: skip
    """MNIST's layout: train-* files, and t10k-* as the test set (else a seeded split)."""
    name = os.fspath(folder)
    train = _idx_pair(name, "train")
    if train is None:
        raise DlvizError(f"{name} has no train-images-idx3-ubyte[.gz] file")
    test = _idx_pair(name, "test")
    images, labels = train
    is_test = split_mask(len(labels), test_ratio, seed)
    if test is not None:
        if test[0].shape[1:] != images.shape[1:]:
            raise DlvizError(
                f"{name}: the test images are {test[0].shape[1]}×{test[0].shape[2]}, the "
                f"training images {images.shape[1]}×{images.shape[2]}; they must match"
            )
        if len(labels) + len(test[1]) > MAX_POINTS:
            raise DlvizError(
                f"{name} holds {len(labels) + len(test[1]):,} images; dlviz takes at most "
                f"{MAX_POINTS:,}"
            )
        images = np.concatenate([images, test[0]])
        labels = np.concatenate([labels, test[1]])
        is_test = np.arange(len(labels)) >= len(train[1])
    shape = (int(images.shape[1]), int(images.shape[2]))
    title = os.path.basename(os.path.normpath(name)) or "images"
    return image_dataset(images, labels, is_test, shape, 255, title)


# ---------------------------------------------------------------- PNG folders


def _class_folders(folder: str) -> list[tuple[int, str]]:
    found = []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isdir(path) and entry.isdigit() and int(entry) < MAX_IMAGE_CLASSES:
            found.append((int(entry), path))
    return found


def is_png_folder(folder: str) -> bool:
    roots = [os.path.join(folder, s) for s in ("train", "test")]
    return bool(_class_folders(folder)) or any(
        os.path.isdir(r) and _class_folders(r) for r in roots
    )


def read_png(path: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """One image as uint8 grey levels (height, width), resized to ``shape`` when given."""
    from PIL import Image, UnidentifiedImageError

    data = read_bytes(path, MAX_PNG_BYTES, "PNG image")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 4096 * 4096:
                raise DlvizError(f"{path} is {img.width}×{img.height} pixels; too large an image")
            grey = img.convert("L")
            if shape is not None and grey.size != (shape[1], shape[0]):
                grey = grey.resize((shape[1], shape[0]), Image.Resampling.LANCZOS)
            return np.asarray(grey, np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DlvizError(f"{path} is not a readable image ({exc})") from None


def _png_files(folder: str) -> list[str]:
    return [
        os.path.join(folder, f)
        for f in sorted(os.listdir(folder))
        if f.lower().endswith(".png") and os.path.isfile(os.path.join(folder, f))
    ]


def read_png_folder(folder: str | os.PathLike[str], *, test_ratio: float = 0.2,
                    seed: int = 0) -> Dataset:  # fmt: skip
    """Per-class subfolders of PNG images (grey levels, resized to the first image's size).

    ``train/`` and ``test/`` folders, each with class subfolders, give the split;
    otherwise it is a seeded one of ``test_ratio``.
    """
    name = os.fspath(folder)
    splits = [(name, False)]
    if not _class_folders(name):
        splits = [(os.path.join(name, s), s == "test") for s in ("train", "test")
                  if os.path.isdir(os.path.join(name, s))]  # fmt: skip
    files: list[tuple[str, int, bool]] = []
    for root, test in splits:
        for label, sub in _class_folders(root):
            files += [(path, label, test) for path in _png_files(sub)]
    if not files:
        raise DlvizError(f"{name} has no PNG images in class folders 0/ to 9/")
    if len(files) > MAX_POINTS:
        raise DlvizError(f"{name} holds {len(files):,} images; dlviz takes at most {MAX_POINTS:,}")
    first = read_png(files[0][0])
    shape = (int(first.shape[0]), int(first.shape[1]))
    if max(shape) > MAX_IMAGE_SIDE:
        shape = (DEFAULT_SIDE, DEFAULT_SIDE)
    pixels = np.stack([read_png(path, shape) for path, _, _ in files])
    labels = np.array([label for _, label, _ in files], np.int64)
    if len(splits) > 1 or splits[0][1]:
        is_test = np.array([test for _, _, test in files], bool)
    else:
        is_test = split_mask(len(files), test_ratio, seed)
    title = os.path.basename(os.path.normpath(name)) or "images"
    return image_dataset(pixels, labels, is_test, shape, 255, title)


def has_test_part(folder: str | os.PathLike[str]) -> bool:
    """Whether a folder brings its own test set (t10k-* files, or a ``test/`` folder)."""
    name = os.fspath(folder)
    if is_idx_folder(name):
        return _find(name, IDX_NAMES[("test", "images")]) is not None
    test = os.path.join(name, "test")
    return not _class_folders(name) and os.path.isdir(test) and bool(_class_folders(test))


def read_image_folder(folder: str | os.PathLike[str], *, test_ratio: float = 0.2,
                      seed: int = 0) -> Dataset:  # fmt: skip
    """An IDX folder or a folder of PNG class folders, told apart by what it holds."""
    name = os.fspath(folder)
    if not os.path.isdir(name):
        raise DlvizError(f"{name} is not a folder")
    if is_idx_folder(name):
        return read_idx_folder(name, test_ratio=test_ratio, seed=seed)
    if is_png_folder(name):
        return read_png_folder(name, test_ratio=test_ratio, seed=seed)
    raise DlvizError(
        f"{name} holds neither MNIST IDX files (train-images-idx3-ubyte[.gz]) nor class "
        "folders 0/ to 9/ of PNG images"
    )


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write uint8 images (n, h, w) or labels (n,) in IDX format (gzipped for .gz names)."""
    arr = np.ascontiguousarray(array, np.uint8)
    magic = IMAGE_MAGIC if arr.ndim == 3 else LABEL_MAGIC
    head = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    data = head + arr.tobytes()
    name = os.fspath(path)
    with atomic_write(name) as fh:
        fh.write(gzip.compress(data) if name.endswith(".gz") else data)
