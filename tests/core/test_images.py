"""Image data: the built-in digits, IDX files (MNIST's format), PNG folders, image projects.

The IDX files are written here in MNIST's layout (magic numbers, big-endian
sizes, optionally gzipped), small enough to train in a test.
"""

from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pytest
from PIL import Image

from dlviz.core.data import MAX_IMAGE_CLASSES
from dlviz.core.errors import DlvizError
from dlviz.core.images import (
    IMAGE_MAGIC,
    LABEL_MAGIC,
    load_digits,
    read_idx,
    read_image_folder,
    subset,
    write_idx,
)
from dlviz.core.network import LayerSpec, NetworkSpec, build_spec
from dlviz.core.optim import OptimizerConfig
from dlviz.core.project import load_project, project_bytes, save_project
from dlviz.core.trainer import TrainConfig, Trainer
from tests.image_files import mnist_like, write_mnist_folder

# ---------------------------------------------------------------- built-in digits


def test_digits_are_the_uci_set():
    d = load_digits(test_ratio=0.2, seed=0)
    assert d.points.shape == (1797, 64) and d.image_shape == (8, 8)
    assert d.kind == "classify" and d.n_classes == 10
    # the UCI description's class counts (sklearn's DESCR lists the same)
    assert np.bincount(d.targets).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # pixels were whole numbers 0..16, scaled to [0, 1]
    assert d.points.min() == 0 and d.points.max() == 1
    np.testing.assert_array_equal(d.points * 16, np.round(d.points * 16))
    assert d.is_test.sum() == round(1797 * 0.2)
    # a zero in the first row (a blank border) and the well-known first image
    assert d.points[0].reshape(8, 8)[:, 0].tolist() == [0] * 8 and d.targets[0] == 0


def test_subset_is_seeded_and_keeps_the_split():
    d = load_digits(seed=3)
    a, b = subset(d, 100, 7), subset(d, 100, 7)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.n == 100 and a.image_shape == (8, 8)
    assert not np.array_equal(subset(d, 100, 8).targets, a.targets)
    with pytest.raises(DlvizError, match="out of range"):
        subset(d, 5000, 0)


# ---------------------------------------------------------------- IDX


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
def test_idx_folder_reads_train_and_t10k_as_the_test_set(tmp_path, gz):
    (tr, trl), (te, tel) = write_mnist_folder(tmp_path / "mnist", gz=gz)
    d = read_image_folder(tmp_path / "mnist")
    assert d.image_shape == (28, 28) and d.n == 250 and d.n_classes == 10
    assert d.is_test.tolist() == [False] * 200 + [True] * 50
    np.testing.assert_array_equal(d.points[:200] * 255, tr.reshape(200, -1))
    np.testing.assert_array_equal(d.test_inputs * 255, te.reshape(50, -1))
    np.testing.assert_array_equal(d.targets, np.concatenate([trl, tel]))


def test_idx_folder_without_t10k_splits_by_the_test_ratio(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    tr, trl = mnist_like(100, 1)
    write_idx(folder / "train-images-idx3-ubyte", tr)
    write_idx(folder / "train-labels-idx1-ubyte", trl)
    d = read_image_folder(folder, test_ratio=0.3, seed=1)
    assert d.n == 100 and d.is_test.sum() == 30


def _idx_bytes(magic: int, dims: tuple[int, ...], body: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + body


BAD_IMAGES = {
    "wrong magic": (_idx_bytes(LABEL_MAGIC, (3,), b"\0" * 3), "magic number 0x00000801"),
    "too short": (b"\0\0", "magic number none"),
    "truncated header": (_idx_bytes(IMAGE_MAGIC, (3,), b""), "header is cut short"),
    "truncated body": (
        _idx_bytes(IMAGE_MAGIC, (3, 28, 28), b"\0" * 1000),
        "truncated: its header promises 3 items",
    ),  # fmt: skip
    "extra bytes": (_idx_bytes(IMAGE_MAGIC, (1, 2, 2), b"\0" * 9), "sizes do not match"),
    "huge side": (_idx_bytes(IMAGE_MAGIC, (1, 1000, 1000), b""), "sides of 1 to 64"),
}


@pytest.mark.parametrize("case", BAD_IMAGES)
def test_a_malformed_idx_file_is_one_clear_line(tmp_path, case):
    data, message = BAD_IMAGES[case]
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(data)
    with pytest.raises(DlvizError, match=message) as err:
        read_idx(path, IMAGE_MAGIC)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_mismatched_image_and_label_counts_are_refused(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    tr, trl = mnist_like(10, 1)
    write_idx(folder / "train-images-idx3-ubyte", tr)
    write_idx(folder / "train-labels-idx1-ubyte", trl[:9])
    with pytest.raises(DlvizError, match="10 images but .* 9 labels; the sizes do not match"):
        read_image_folder(folder)


def test_a_missing_label_file_a_bad_label_and_a_cut_gzip_are_refused(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    tr, trl = mnist_like(10, 1)
    write_idx(folder / "train-images-idx3-ubyte.gz", tr)
    with pytest.raises(DlvizError, match="no matching labels file"):
        read_image_folder(folder)
    trl[3] = MAX_IMAGE_CLASSES
    write_idx(folder / "train-labels-idx1-ubyte.gz", trl)
    with pytest.raises(DlvizError, match="label 10 is out of range"):
        read_image_folder(folder)
    whole = (folder / "train-images-idx3-ubyte.gz").read_bytes()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DlvizError, match="gzip stream ends early"):
        read_idx(folder / "train-images-idx3-ubyte.gz", IMAGE_MAGIC)


def test_a_folder_of_neither_kind_says_what_it_expects(tmp_path):
    with pytest.raises(DlvizError, match="neither MNIST IDX files .* nor class folders"):
        read_image_folder(tmp_path)


def test_784_128_10_learns_an_idx_folder(tmp_path):
    """MNIST's shape end to end in the core: read, build, train, measure on t10k."""
    write_mnist_folder(tmp_path / "m", n_train=400, n_test=100)
    d = read_image_folder(tmp_path / "m")
    spec = build_spec(kind="classify", n_classes=d.n_classes, features=(),
                      hidden=(LayerSpec(128, "relu"),), image_shape=d.image_shape)  # fmt: skip
    assert spec.sizes == (784, 128, 10)
    t = Trainer(d, spec, TrainConfig(OptimizerConfig("adam", lr=0.001), batch_size=64), seed=0)
    for _ in range(5):
        t.run(samples=t.n_train)
    _, test = t.evaluate()
    assert test.accuracy is not None and test.accuracy >= 0.9


# ---------------------------------------------------------------- PNG folders


def _png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_png_class_folders_load_resized_to_the_first_image(tmp_path):
    images, labels = mnist_like(12, 3, side=28)
    for i, (img, label) in enumerate(zip(images, labels, strict=True)):
        _png(tmp_path / "pngs" / str(label) / f"{i}.png", img)
    # a larger image of class 0 is resized to 28×28
    _png(tmp_path / "pngs" / "0" / "big.png", np.full((56, 56), 255, np.uint8))
    d = read_image_folder(tmp_path / "pngs", test_ratio=0.25, seed=0)
    assert d.image_shape == (28, 28) and d.n == 13 and d.is_test.sum() == 3
    rows = {tuple(r) for r in (d.points * 255).round().astype(np.uint8)}
    assert tuple(images[0].reshape(-1)) in rows
    assert tuple(np.full(784, 255, np.uint8)) in rows


def test_png_train_and_test_folders_give_the_split(tmp_path):
    img = np.zeros((8, 8), np.uint8)
    _png(tmp_path / "p" / "train" / "3" / "a.png", img)
    _png(tmp_path / "p" / "train" / "5" / "b.png", img)
    _png(tmp_path / "p" / "test" / "3" / "c.png", img)
    d = read_image_folder(tmp_path / "p")
    assert d.n == 3 and d.is_test.tolist() == [False, False, True]
    assert d.targets.tolist() == [3, 5, 3] and d.n_classes == 6


def test_a_damaged_png_names_the_file(tmp_path):
    (tmp_path / "p" / "1").mkdir(parents=True)
    (tmp_path / "p" / "1" / "x.png").write_bytes(b"not a png")
    with pytest.raises(DlvizError, match=r"x\.png is not a readable image"):
        read_image_folder(tmp_path / "p")


# ---------------------------------------------------------------- networks and projects


def test_an_image_spec_checks_its_width_against_the_image():
    with pytest.raises(DlvizError, match="8×8 image network reads 64 pixels, not 63"):
        NetworkSpec((), (), 10, "softmax", "ce", n_inputs=63, image_shape=(8, 8))
    with pytest.raises(DlvizError, match="takes no input features"):
        NetworkSpec(("x1",), (), 10, "softmax", "ce", n_inputs=64, image_shape=(8, 8))
    with pytest.raises(DlvizError, match="1 to 2 raw inputs per point"):
        NetworkSpec(("x1",), (), 1, "sigmoid", "bce", n_inputs=64)


def _digits_trainer() -> Trainer:
    d = subset(load_digits(seed=1), 400, 1)
    spec = build_spec(kind="classify", n_classes=10, features=(),
                      hidden=(LayerSpec(16, "relu"),), image_shape=(8, 8))  # fmt: skip
    return Trainer(d, spec, TrainConfig(OptimizerConfig("adam"), batch_size=16), seed=2)


def test_an_image_project_stores_small_integer_pixels_and_resumes_exactly(tmp_path):
    t = _digits_trainer()
    t.run(samples=250)  # mid-epoch
    path = tmp_path / "digits.dlviz"
    save_project(path, t)
    with zipfile.ZipFile(path) as z:
        with z.open("points.npy") as fh:
            stored = np.lib.format.read_array(fh, allow_pickle=False)
    assert stored.dtype == np.uint8 and stored.shape == (400, 64) and stored.max() == 16
    back, _ = load_project(path)
    assert back.dataset.image_shape == (8, 8) and back.spec == t.spec
    np.testing.assert_array_equal(back.dataset.points, t.dataset.points)  # bit-exact pixels
    t.run(samples=300)
    back.run(samples=300)
    np.testing.assert_array_equal(back.params, t.params)


def test_an_mnist_sized_project_does_not_carry_float_pixels(tmp_path):
    """70 000 images would be 220 MB of float32; stored as uint8 they deflate far below."""
    images, labels = mnist_like(3000, 5)
    from dlviz.core.images import image_dataset

    d = image_dataset(images, labels, np.zeros(3000, bool), (28, 28), 255, "m")
    spec = build_spec(kind="classify", n_classes=10, features=(), hidden=(),
                      image_shape=(28, 28))  # fmt: skip
    size = len(project_bytes(Trainer(d, spec, seed=0)))
    assert size < d.points.nbytes / 4  # float32 pixels would be 9.4 MB here


def test_a_damaged_image_project_is_refused(tmp_path):
    t = _digits_trainer()
    path = tmp_path / "d.dlviz"
    save_project(path, t)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            if name == "points.npy":
                import io

                buf = io.BytesIO()
                np.save(buf, np.full((400, 64), 200, np.uint8))  # above its 16 levels
                data = buf.getvalue()
            z.writestr(name, data)
    with pytest.raises(DlvizError, match="image pixels are damaged"):
        load_project(path)


def test_idx_writer_gzips_by_name(tmp_path):
    write_idx(tmp_path / "x.gz", np.zeros(3, np.uint8))
    assert gzip.decompress((tmp_path / "x.gz").read_bytes())[:4] == LABEL_MAGIC.to_bytes(4, "big")
