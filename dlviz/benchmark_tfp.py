"""The TensorFlow Playground column of the engine benchmark: its own engine, run under node.

TensorFlow Playground (github.com/tensorflow/playground) trains with ``src/nn.ts``:
one object per neuron and per link, float64, one sample at a time.  Its code is not
part of dlviz and never copied into it: the user clones the repository and passes
the path of ``nn.ts`` (or of an ``nn.js`` compiled from it) to
``benchmarks/engine.py --tfp PATH``.  This module compiles ``nn.ts`` with the
TypeScript compiler into a temporary directory, writes the driver below (ours)
and the benchmark's data beside it, and keeps one node process that trains on
request, so its repeats interleave with dlviz's own like any other engine's.

The driver trains as Playground's ``oneStep`` does (``forwardProp``, ``backProp``
with its square error, ``updateWeights`` every ``batch`` samples, no
regularisation) on the same points, in the same shuffled order every epoch and
with the same learning rate; its network has Playground's tanh output and ±1
labels (dlviz's has a sigmoid with cross-entropy: one output either way).
Playground's per-epoch loss over the training and test points and its drawing are
left out: this times the engine alone, the column most favourable to it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from dlviz.benchmark_cases import Case, problem
from dlviz.core.errors import DlvizError

#: `dlviz train` on the tiny net trains at least this many times as fast as Playground's
#: engine on the same work (issue 19).
TFP_TARGET = 5.0

#: The node driver: loads the compiled nn.js and the problem, then answers each line of
#: stdin (seconds to train for) with the samples/s of whole epochs trained for that long.
DRIVER = r"""
"use strict";
const fs = require("fs");
const readline = require("readline");
const nn = require(process.argv[2]);
const p = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const A = nn.Activations[p.activation.toUpperCase()];
const net = nn.buildNetwork(p.shape, A, nn.Activations.TANH, null, ["x1", "x2"], false);
const n = p.labels.length;

function epoch() {  // Playground's oneStep without its loss passes and drawing
  for (let i = 0; i < n; i++) {
    nn.forwardProp(net, [p.x[2 * i], p.x[2 * i + 1]]);
    nn.backProp(net, p.labels[i], nn.Errors.SQUARE);
    if ((i + 1) % p.batch === 0) {
      nn.updateWeights(net, p.lr, 0);
    }
  }
  return n;
}

function meanSquareError() {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const out = nn.forwardProp(net, [p.x[2 * i], p.x[2 * i + 1]]);
    total += nn.Errors.SQUARE.error(out, p.labels[i]);
  }
  return total / n;
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const seconds = parseFloat(line);
  const start = process.hrtime.bigint();
  let done = 0, elapsed = 0;
  do {
    done += epoch();
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  } while (elapsed < seconds);
  process.stdout.write(JSON.stringify({ rate: done / elapsed, loss: meanSquareError() }) + "\n");
});
"""


def find_tsc(nn_ts: Path) -> str:
    """The TypeScript compiler: ``$TSC``, ``tsc`` on PATH, or ``node_modules/.bin/tsc`` in
    a folder above ``nn_ts`` (a Playground clone after ``npm install``)."""
    found = os.environ.get("TSC") or shutil.which("tsc")
    if found:
        return found
    for folder in nn_ts.resolve().parents:
        candidate = folder / "node_modules" / ".bin" / "tsc"
        if candidate.is_file():
            return str(candidate)
    raise DlvizError(
        "no TypeScript compiler to compile nn.ts: run `npm install` in the Playground "
        "clone, `npm install -g typescript`, or set TSC to a tsc"
    )


def compiled_nn(path: Path, folder: Path) -> Path:
    """``path`` if it is JavaScript, else ``nn.ts`` compiled (CommonJS) into ``folder``."""
    if not path.is_file():
        raise DlvizError(f"{path} is not a file: pass the path of Playground's src/nn.ts")
    if path.suffix == ".js":
        return path.resolve()
    out = subprocess.run(
        [find_tsc(path), "--module", "commonjs", "--target", "es2017", "--outDir", str(folder),
         str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    js = folder / (path.stem + ".js")
    if not js.is_file():  # tsc emits despite type errors; no file means it could not run
        raise DlvizError(f"could not compile {path}: {(out.stdout + out.stderr).strip()[:300]}")
    return js


class TfpRunner:
    """Playground's engine on ``case`` (one output, SGD) in a node process of its own;
    ``runner(seconds)`` trains whole epochs for about that long and returns samples/s."""

    def __init__(self, nn_path: str, case: Case, n_points: int, lr: float = 0.01) -> None:
        if case.n_out != 1:
            raise DlvizError("Playground's engine has one output: it runs the 1-output case only")
        node = shutil.which("node")
        if node is None:
            raise DlvizError("node is not on PATH: install Node.js to run Playground's engine")
        self._dir = tempfile.TemporaryDirectory(prefix="dlviz-tfp-")
        self._proc: subprocess.Popen[str] | None = None
        try:
            self._start(node, nn_path, case, n_points, lr)
        except BaseException:
            self.close()
            raise

    def _start(self, node: str, nn_path: str, case: Case, n_points: int, lr: float) -> None:
        folder = Path(self._dir.name)
        js = compiled_nn(Path(nn_path), folder)
        x, _, labels = problem(case, n_points)
        order = np.random.default_rng(2).permutation(n_points)  # Playground shuffles once
        data = {
            "shape": [2, *case.hidden, 1],
            "activation": case.activation,
            "x": [float(v) for v in x[order].ravel()],
            "labels": [1.0 if v else -1.0 for v in labels[order]],  # Playground's encoding
            "batch": case.batch,
            "lr": lr,
        }
        (folder / "problem.json").write_text(json.dumps(data))
        (folder / "driver.js").write_text(DRIVER)
        self._proc = subprocess.Popen(
            [node, str(folder / "driver.js"), str(js), str(folder / "problem.json")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.loss = float("nan")  # mean square error over the points after the last run
        self(0.2)  # V8 compiles the hot loops: warm up before any timed run

    def __call__(self, seconds: float) -> float:
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(f"{seconds}\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            err = proc.stderr.read() if proc.stderr else ""
            raise DlvizError(f"Playground's engine stopped: {err.strip()[-300:]}")
        reply = json.loads(line)
        self.loss = float(reply["loss"])
        return float(reply["rate"])

    def close(self) -> None:
        """End the node process and delete the temporary folder."""
        proc, self._proc = self._proc, None
        if proc is not None:
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    try:
                        pipe.close()
                    except BrokenPipeError:
                        pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._dir.cleanup()
