"""Constants the compiled kernels freeze: declared once, and cached kernels built under
other values are dropped (the CPU engine's own check is in test_activations.py)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from dlviz.core import activations, network, optim
from dlviz.core.kernels import freshness

KERNELS = os.path.dirname(freshness.__file__)


CHANGED = [
    (optim, "OPTIMIZER_CODE", {**optim.OPTIMIZER_CODE, "adam": 99}),
    (network, "LOSS_CODE", {"mse": 1, "bce": 0, "ce": 2}),
    (network, "DROPOUT_HASH_BITS", 23),
    (network, "DROPOUT_GOLDEN", network.DROPOUT_GOLDEN ^ 1),
    (network, "DROPOUT_MIX1", network.DROPOUT_MIX1 ^ 1),
    (network, "DROPOUT_MIX2", network.DROPOUT_MIX2 ^ 1),
    (network, "DROPOUT_SHIFTS", (30, 27, 32)),
]


@pytest.mark.parametrize("module, name, value", [pytest.param(*c, id=c[1]) for c in CHANGED])
def test_the_fingerprint_follows_every_frozen_constant(monkeypatch, module, name, value):
    assert freshness.fingerprint() == freshness.FINGERPRINT
    monkeypatch.setattr(module, name, value)
    assert freshness.fingerprint() != freshness.FINGERPRINT


def test_the_fingerprint_follows_the_activation_formulas(monkeypatch, tmp_path):
    edited = tmp_path / "activations.py"
    with open(activations.__file__, encoding="utf-8") as fh:
        source = fh.read()
    edited.write_text(source.replace("GELU_K = 0.044715", "GELU_K = 0.0447"), encoding="utf-8")
    monkeypatch.setattr(activations, "__file__", str(edited))
    assert freshness.fingerprint() != freshness.FINGERPRINT


def test_the_engines_take_the_dropout_hash_and_activation_constants_from_their_home():
    """SplitMix64's constants live in network.py and GELU's in activations.py; an engine
    writing one out again would drift silently from the others if it changed."""
    written_once = [
        r"0x9E3779B97F4A7C15", r"0xBF58476D1CE4E5B9", r"0x94D049BB133111EB",
        r"\*\s*\(1\s*<<\s*24\)", r"uint64\(40\)", r"0\.044715", r"sqrt\(2\.0\s*/\s*math\.pi\)",
    ]  # fmt: skip
    for engine in ("reference.py", "cpu.py", "cuda.py"):
        with open(os.path.join(KERNELS, engine), encoding="utf-8") as fh:
            code = fh.read()
        for pattern in written_once:
            assert not re.search(pattern, code, re.IGNORECASE), f"{engine} writes {pattern}"


@pytest.mark.skipif(
    importlib.util.find_spec("numba_cuda") is None,
    reason='numba-cuda is not installed (pip install -e ".[test,cuda]")',
)
def test_cuda_kernels_cached_under_other_constants_are_dropped(tmp_path):
    """numba-cuda's cache sees only cuda.py's time stamp.  Compiling needs a GPU, so the
    cached kernels here are files named as numba-cuda names them; what is checked is
    that cuda.py finds numba-cuda's cache folder, stamps it, keeps a cache stamped with
    today's constants and deletes one stamped with others (and nothing else)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)
    script = textwrap.dedent(
        """
        from dlviz.core.kernels import cuda
        print(cuda.cache_folder())
        """
    )

    def run() -> str:
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True)  # fmt: skip
        return out.stdout.split()[-1]

    folder = run()
    assert folder.startswith(str(tmp_path))
    stamp = freshness.stamp_path(folder, "cuda.py")
    with open(stamp, encoding="ascii") as fh:
        assert fh.read() == str(freshness.FINGERPRINT)
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
    kernels = [f"cuda.fused_train-456.{tag}.nbi", f"cuda.fused_train-456.{tag}.1.nbc"]
    other = f"cpu.train_batches-300.{tag}.nbi"
    for name in (*kernels, other):
        shutil.copy(stamp, os.path.join(folder, name))  # any bytes: only names matter

    run()  # the same constants: the cache is kept
    assert sorted(os.listdir(folder)) == sorted([*kernels, other, os.path.basename(stamp)])

    with open(stamp, "w", encoding="ascii") as fh:  # as if a constant had changed since
        fh.write(str(freshness.FINGERPRINT ^ 1))
    run()
    assert sorted(os.listdir(folder)) == sorted([other, os.path.basename(stamp)])
    with open(stamp, encoding="ascii") as fh:
        assert fh.read() == str(freshness.FINGERPRINT)
