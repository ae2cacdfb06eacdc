"""Engine benchmark (as `dlviz bench --json`): the Numba kernel, `dlviz train`'s and the
app's loops, the NumPy reference and PyTorch CPU in one run, JSON lines on stdout.

    python benchmarks/engine.py [--quick] [--tfp PATH/nn.ts] [--cases tiny,medium,wide]

``--quick`` is a smoke run of a few seconds (figures say nothing about the targets).
``--tfp`` adds TensorFlow Playground's own engine as a column on the tiny 2-8-8-1 tanh
net (SGD, batch 10, the same spiral points and learning rate): clone
https://github.com/tensorflow/playground yourself and pass its ``src/nn.ts``; it is
compiled with ``tsc`` (``npm install`` in the clone, or ``npm install -g typescript``,
or ``TSC=path/to/tsc``) into a temporary folder and run under ``node``, interleaved
with dlviz's rows.  The ratio line then carries ``cli_vs_tfp`` (`dlviz train` over
Playground's engine) against ``tfp_target`` (5).  Nothing of Playground's is kept.
``--cases`` times only the named shapes (their first words) and skips the lines after
them.  ``python benchmarks/table.py`` turns the output into the README's table.
"""

import argparse
import sys

from dlviz.benchmark import run_engine_benchmark
from dlviz.benchmark_cases import CASES
from dlviz.core.errors import DlvizError

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--tfp", metavar="NN_TS", help="TensorFlow Playground's src/nn.ts")
    names = [case.name.split()[0] for case in CASES]
    parser.add_argument("--cases", default="", help=f"comma-separated, of {', '.join(names)}")
    args = parser.parse_args()
    cases = tuple(c for c in args.cases.split(",") if c)
    unknown = [c for c in cases if c not in names]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)}; choose from {', '.join(names)}")
    try:
        run_engine_benchmark(as_json=True, quick=args.quick, tfp=args.tfp, cases=cases)
    except DlvizError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
