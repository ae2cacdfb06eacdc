"""The TF Playground column's driver, run under node against a stand-in engine of ours with
Playground's API (Playground's code is never part of dlviz, nor of its tests)."""

from __future__ import annotations

import math
import shutil

import pytest

from dlviz.benchmark_cases import CASES
from dlviz.benchmark_tfp import TfpRunner
from dlviz.core.errors import DlvizError

#: The calls the driver makes, doing a little float work each: enough to be timed.
STAND_IN = """
exports.Activations = { TANH: { output: Math.tanh } };
exports.Errors = { SQUARE: { error: (o, t) => 0.5 * (o - t) * (o - t) } };
exports.buildNetwork = (shape, act, out, reg, ids, zero) => ({ w: 0.1, shape: shape });
exports.forwardProp = (net, input) => Math.tanh(net.w * (input[0] + input[1]));
exports.backProp = (net, target, err) => { net.g = (net.g || 0) + 1e-6 * target; };
exports.updateWeights = (net, lr, reg) => { net.w -= lr * net.g; net.g = 0; };
"""

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


@needs_node
def test_the_driver_trains_whole_epochs_and_reports_rate_and_loss(tmp_path):
    engine = tmp_path / "nn.js"
    engine.write_text(STAND_IN)
    runner = TfpRunner(str(engine), CASES[0], 64)
    try:
        rates = [runner(0.05) for _ in range(3)]
    finally:
        runner.close()
    assert all(rate > 0 and math.isfinite(rate) for rate in rates)
    assert 0 <= runner.loss < 2  # tanh outputs against ±1 labels


@needs_node
def test_an_engine_that_fails_is_one_message(tmp_path):
    engine = tmp_path / "nn.js"
    engine.write_text(STAND_IN.replace("exports.backProp", "exports.notBackProp"))
    with pytest.raises(DlvizError, match="Playground's engine stopped"):
        TfpRunner(str(engine), CASES[0], 64)


def test_a_missing_engine_or_a_many_output_shape_is_refused(tmp_path):
    with pytest.raises(DlvizError, match="src/nn.ts"):
        TfpRunner(str(tmp_path / "nn.ts"), CASES[0], 64)
    with pytest.raises(DlvizError, match="one output"):
        TfpRunner(str(tmp_path / "nn.ts"), CASES[1], 64)
