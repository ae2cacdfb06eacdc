"""Build dlviz/resources/digits.npz, the built-in UCI optical-recognition digits.

Source: the copy scikit-learn bundles (``sklearn/datasets/data/digits.csv.gz``,
1,797 rows of 64 pixels 0..16 and a label), which is the test part of the UCI
"Optical Recognition of Handwritten Digits" set (E. Alpaydin, C. Kaynak, 1998,
CC BY 4.0).  dlviz ships the result (a 45 kB npz) so the digits work
offline without scikit-learn installed.  Run once, from the repository root:

    pip download --no-deps scikit-learn -d /tmp/skl
    python scripts/make_digits_resource.py /tmp/skl/scikit_learn-*.whl

(an installed scikit-learn's ``digits.csv.gz`` path works too).  The script
checks the source's SHA-256 so the shipped array is reproducible.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

#: SHA-256 of digits.csv.gz in scikit-learn 1.9.1 (unchanged since the file was added).
SOURCE_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
MEMBER = "sklearn/datasets/data/digits.csv.gz"
OUT = Path(__file__).resolve().parents[1] / "dlviz" / "resources" / "digits.npz"


def source_bytes(path: str) -> bytes:
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(MEMBER)
    return Path(path).read_bytes()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    raw = source_bytes(argv[1])
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"unexpected source (SHA-256 {digest}); expected {SOURCE_SHA256}", file=sys.stderr)
        return 2
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",")
    pixels = table[:, :64].astype(np.uint8)  # 0..16
    labels = table[:, 64].astype(np.uint8)
    assert pixels.shape == (1797, 64) and pixels.max() == 16 and set(labels) == set(range(10))
    np.savez_compressed(OUT, pixels=pixels, labels=labels)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
