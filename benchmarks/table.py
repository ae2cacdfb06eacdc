"""The README's benchmark table from `benchmarks/engine.py`'s JSON lines (Markdown).

    python benchmarks/engine.py > run.jsonl
    python benchmarks/table.py run.jsonl [--before old.jsonl] [--readme README.md]

``--before`` adds an earlier run's kernel and `dlviz train` figures (before a change);
``--readme`` writes the table into the README's benchmark section (between its
``engine-table`` markers) instead of printing it.  See dlviz/benchmark_table.py.
"""

import argparse
import sys
from pathlib import Path

from dlviz.benchmark_table import read_lines, table, write_into

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="JSON lines of benchmarks/engine.py ('-': stdin)")
    parser.add_argument("--before", metavar="JSONL", help="an earlier run's JSON lines")
    parser.add_argument("--readme", metavar="README", help="write the table into this file")
    args = parser.parse_args()
    try:
        text = sys.stdin.read() if args.run == "-" else Path(args.run).read_text()
        before = read_lines(Path(args.before).read_text()) if args.before else None
        out = table(read_lines(text), before)
        if args.readme:
            write_into(Path(args.readme), out)
        else:
            print(out, end="")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
