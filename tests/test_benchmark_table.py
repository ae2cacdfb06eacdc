"""The README's benchmark table is made from the benchmark's own lines, never typed."""

from __future__ import annotations

import json

import pytest

from dlviz.benchmark_table import BEGIN, END, read_lines, table, write_into

CASE = "tiny 2-8-8-1 tanh"


def run(cli: float, tfp: float | None = 700_000.0) -> list[dict]:
    """The lines one benchmark run prints for one shape (as benchmarks/engine.py does)."""
    rates = {"numba": 7_500_000.0, "cli": cli, "app": 6_900_000.0, "torch": 50_000.0}
    if tfp is not None:
        rates["tfp"] = tfp
    lines: list[dict] = [{"threads": "1 training thread", "blas_threads": 1, "cores": 2,
                          "torch_threads": 2}]  # fmt: skip
    lines += [{"case": CASE, "optimizer": "sgd", "engine": e, "samples_per_second": r,
               "min": r, "max": r, "repeats": 5} for e, r in rates.items()]  # fmt: skip
    ratio = {"case": CASE, "optimizer": "sgd", "numba_vs_reference": 40.0,
             "kernel_gflops": 3.7, "cli_vs_numba": round(cli / 7.5e6, 3),
             "app_vs_numba": 0.92, "user_path_target": 0.9, "numba_vs_torch": 150.0,
             "cli_vs_torch": round(cli / 5e4, 2), "target": 50.0, "met": True}  # fmt: skip
    if tfp is not None:
        ratio.update(cli_vs_tfp=round(cli / tfp, 2), tfp_target=5.0, tfp_met=cli / tfp >= 5)
    lines.append(ratio)
    lines.append({"subnormals": "medium 2-64-64-64-3 relu", "optimizer": "adam",
                  "trained_epochs": 1465, "flushed": 975_000, "ieee": 560_000,
                  "flushed_vs_ieee": 1.74})  # fmt: skip
    lines.append({"grid": "200x200 medium net", "ms": 12.5, "min_ms": 12.0, "max_ms": 14.0,
                  "repeats": 20, "target_ms": 15.0, "met": True})  # fmt: skip
    return lines


def test_a_row_per_shape_and_optimizer_with_each_engine_and_its_targets():
    text = table(read_lines("\n".join(json.dumps(line) for line in run(6_800_000.0))))
    header, rule, row, *rest = text.splitlines()
    assert "TF Playground" in header and "train ÷ Playground" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    columns = dict(zip([c.strip() for c in header.strip("|").split("|")], cells, strict=True))
    assert columns["shape"] == CASE and columns["kernel"] == "7.50 M"
    assert columns["`dlviz train`"] == "6.80 M" and columns["TF Playground"] == "700 k"
    assert columns["train ÷ kernel"] == "0.91× ✓"
    assert columns["kernel ÷ PyTorch"] == "150.0× ✓" and columns["train ÷ PyTorch"] == "136.0× ✓"
    assert columns["train ÷ Playground"] == "9.7× ✓"
    assert any("Prediction grid" in line and "12.5 ms" in line for line in rest)
    assert any("after 1465 epochs" in line and "975 k with subnormal floats flushed, 560 k "
               "computing on them: 1.74×" in line for line in rest)  # fmt: skip


def test_a_missed_target_says_so_and_no_playground_means_no_column():
    text = table(run(3_000_000.0, tfp=None))
    assert "TF Playground" not in text
    assert "0.40× ✗ (≥ 0.9)" in text


def test_before_and_after_side_by_side():
    text = table(run(6_000_000.0), before=run(2_000_000.0))
    assert "`dlviz train` before" in text and "| 2.00 M | 3.00× |" in text


def test_the_table_goes_between_the_readme_markers_and_nowhere_else(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{BEGIN}\nold table\n{END}\nafter\n")
    write_into(readme, table(run(6_800_000.0)))
    new = readme.read_text()
    assert new.startswith("# x\n\nbefore\n" + BEGIN) and new.endswith(END + "\nafter\n")
    assert "old table" not in new and "6.80 M" in new
    write_into(readme, table(run(5_000_000.0)))  # again: replaced, not added
    assert readme.read_text().count(BEGIN) == 1 and "6.80 M" not in readme.read_text()
    (tmp_path / "plain.md").write_text("no markers")
    with pytest.raises(ValueError, match="markers"):
        write_into(tmp_path / "plain.md", "table")
