"""Engine benchmark (same as `dlviz bench --json`): Numba vs NumPy reference vs PyTorch CPU."""

import sys

from dlviz.benchmark import run_engine_benchmark

if __name__ == "__main__":
    run_engine_benchmark(as_json=True, quick="--quick" in sys.argv)
