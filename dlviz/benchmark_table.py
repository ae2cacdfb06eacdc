"""The README's benchmark table, made from the engine benchmark's JSON lines.

``python benchmarks/table.py run.jsonl`` prints the table in Markdown;
``--before old.jsonl`` adds what `dlviz train` and the kernel reached in an
earlier run (the same benchmark, on the same machine: before and after a
change); ``--readme README.md`` writes the table into the README between
:data:`BEGIN` and :data:`END` instead of printing it.  Nothing is typed by
hand: every figure comes from the lines given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BEGIN = "<!-- engine-table:begin (benchmarks/table.py writes this part) -->"
END = "<!-- engine-table:end -->"

Line = dict[str, Any]


def read_lines(text: str) -> list[Line]:
    """The JSON objects of a benchmark's output, one a line; other lines are skipped."""
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def _rate(value: float | None) -> str:
    """Samples/s, shortened: 7.55 M, 772 k, 52.3 k."""
    if value is None:
        return "–"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e4:
        return f"{value / 1e3:.0f} k" if value >= 1e5 else f"{value / 1e3:.1f} k"
    return f"{value:.0f}"


def _ratio(value: float | None, target: float | None = None, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}×" if digits else f"{value:.0f}×"
    if target is not None:
        text += " ✓" if value >= target else f" ✗ (≥ {target:g})"
    return text


def _rates(lines: Iterable[Line]) -> dict[tuple[str, str, str], float]:
    return {
        (line["case"], line["optimizer"], line["engine"]): line["samples_per_second"]
        for line in lines
        if "engine" in line and "samples_per_second" in line
    }


def table(lines: list[Line], before: list[Line] | None = None) -> str:
    """The Markdown table of ``lines`` (one benchmark run), with ``before``'s `dlviz train`
    and kernel figures beside it when given."""
    rates = _rates(lines)
    old = _rates(before or [])
    head = ["shape", "optimizer", "kernel", "`dlviz train`", "app", "PyTorch CPU"]
    has_tfp = any(engine == "tfp" for (_, _, engine) in rates)
    if has_tfp:
        head.append("TF Playground")
    head += ["kernel ÷ PyTorch", "train ÷ PyTorch", "train ÷ kernel", "app ÷ kernel"]
    if has_tfp:
        head.append("train ÷ Playground")
    head.append("kernel GFLOP/s")
    if before is not None:
        head += ["kernel before", "`dlviz train` before", "train now ÷ before"]
    rows = [head, ["---"] * len(head)]
    quick = any(line.get("quick") for line in lines)
    for line in lines:
        if "numba_vs_reference" not in line:
            continue
        key = (line["case"], line["optimizer"])

        def rate(engine: str, key: tuple[str, str] = key) -> float | None:
            return rates.get((*key, engine))

        target = line.get("user_path_target")
        row = [key[0], key[1], _rate(rate("numba")), _rate(rate("cli")), _rate(rate("app")),
               _rate(rate("torch"))]  # fmt: skip
        if has_tfp:
            row.append(_rate(rate("tfp")))
        row += [
            _ratio(line.get("numba_vs_torch"), line.get("target"), 1),
            _ratio(line.get("cli_vs_torch"), line.get("target"), 1),
            _ratio(line.get("cli_vs_numba"), target),
            _ratio(line.get("app_vs_numba"), target),
        ]
        if has_tfp:
            row.append(_ratio(line.get("cli_vs_tfp"), line.get("tfp_target"), 1))
        row.append(f"{line['kernel_gflops']:g}")
        if before is not None:
            was, now = old.get((*key, "cli")), rate("cli")
            row += [_rate(old.get((*key, "numba"))), _rate(was),
                    _ratio(now / was if now and was else None)]  # fmt: skip
        rows.append(row)
    out = ["| " + " | ".join(row) + " |" for row in rows]
    out += ["", *_notes(lines)]
    if quick:
        out += ["", "*A `--quick` smoke run: these figures say nothing about the targets.*"]
    return "\n".join(out).rstrip() + "\n"


def _notes(lines: list[Line]) -> list[str]:
    """One line each for the run's threads, the peak, BLAS threads, the converged networks'
    subnormals, the grid and the start."""
    notes = []
    for line in lines:
        if "blas_threads" in line:
            notes.append(
                f"- Threads: {line['threads']}; BLAS {line['blas_threads']}; PyTorch "
                f"{line.get('torch_threads')}; {line['cores']} cores."
            )
        elif "peak" in line:
            per = {k: v for k, v in line.items() if k.startswith("gflops_")}
            text = ", ".join(f"{v:g} GFLOP/s ({k.removeprefix('gflops_').replace('_', ' ')})"
                             for k, v in per.items())  # fmt: skip
            notes.append(f"- Peak assumed ({line['peak']}): {text}.")
        elif "all_vs_1" in line:
            notes.append(
                f"- {line['case']}, more BLAS threads: {_ratio(line['all_vs_1'])} the speed of one."
            )
        elif "subnormals" in line:
            notes.append(
                f"- {line['subnormals']}, {line['optimizer']}, after {line['trained_epochs']} "
                f"epochs (sure of its answers): kernel {_rate(line['flushed'])} with subnormal "
                f"floats flushed, {_rate(line['ieee'])} computing on them: "
                f"{_ratio(line['flushed_vs_ieee'])}."
            )
        elif "grid" in line:
            notes.append(
                f"- Prediction grid, {line['grid']}: {line['ms']:g} ms median "
                f"({_met(line)} ≤ {line['target_ms']:g} ms)."
            )
        elif "jit" in line:
            cold = "–" if line["cold_s"] is None else f"{line['cold_s']:g} s"
            notes.append(
                f"- Kernels' start: cold {cold}, from the cache {line['cached_s']:g} s "
                f"({_met(line)} ≤ {line['target_cached_s']:g} s)."
            )
    return notes


def _met(line: Line) -> str:
    return "met" if line.get("met") else "not met"


def write_into(readme: Path, text: str) -> None:
    """Put ``text`` between the README's BEGIN and END markers (which must be there)."""
    old = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(old):
        raise ValueError(f"{readme} has no {BEGIN} ... {END} markers to write between")
    new = pattern.sub(lambda _: f"{BEGIN}\n{text}{END}", old, count=1)
    readme.write_text(new, encoding="utf-8")
