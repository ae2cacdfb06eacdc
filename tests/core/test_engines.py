"""Choosing the engine: names, the CUDA fallback's message, and `auto`'s rule."""

from __future__ import annotations

import pytest

from dlviz.core import engines
from dlviz.core.data import make_dataset
from dlviz.core.errors import DlvizError
from dlviz.core.network import LayerSpec, NetworkSpec
from dlviz.core.trainer import Trainer

TINY = NetworkSpec(("x1", "x2"), (LayerSpec(8, "tanh"),), 1, "sigmoid", "bce")
WIDE = NetworkSpec(("x1", "x2"), (LayerSpec(256, "relu"), LayerSpec(256, "relu")), 10,
                   "softmax", "ce")  # fmt: skip


@pytest.fixture
def fresh_probe():
    probe = engines.cuda_problem  # the cached function, whatever a test patches in
    probe.cache_clear()
    yield
    probe.cache_clear()


def test_names_and_the_old_name_of_the_cpu_engine():
    assert engines.canonical("numba") == "cpu"  # projects written before say "numba"
    assert engines.canonical(" Reference ") == "reference"
    with pytest.raises(DlvizError, match="unknown engine 'gpu'; choose from auto, cpu, cuda"):
        engines.canonical("gpu")
    trainer = Trainer(make_dataset("xor", n=20), TINY, engine="numba")
    assert (trainer.engine_choice, trainer.engine_name, trainer.engine_note) == ("cpu", "cpu", None)


def test_without_numba_cuda_cuda_falls_back_with_what_to_install(monkeypatch, fresh_probe):
    monkeypatch.setattr(engines.importlib.util, "find_spec", lambda name: None)
    name, note = engines.resolve("cuda", TINY, 10)
    assert name == "cpu"
    assert note.startswith("CUDA engine unavailable: numba-cuda is not installed")
    assert 'pip install "dlviz[cuda12]"' in note and '"dlviz[cuda13]"' in note
    assert engines.resolve("auto", WIDE, 512) == ("cpu", None)  # auto says nothing


def test_auto_never_picks_the_simulator(monkeypatch, fresh_probe):
    monkeypatch.setattr(engines, "simulated", lambda: True)
    assert engines.resolve("auto", WIDE, 512) == ("cpu", None)


def test_auto_uses_a_real_gpu_only_for_networks_past_the_rule(monkeypatch, fresh_probe):
    monkeypatch.setattr(engines, "simulated", lambda: False)
    monkeypatch.setattr(engines, "cuda_problem", lambda: None)  # as on a GPU machine
    assert engines.resolve("auto", WIDE, 64) == ("cuda", None)
    assert engines.resolve("auto", TINY, 10) == ("cpu", None)
    monkeypatch.setattr(engines, "cuda_problem", lambda: "no NVIDIA GPU driver found")
    assert engines.resolve("auto", WIDE, 64) == ("cpu", None)
