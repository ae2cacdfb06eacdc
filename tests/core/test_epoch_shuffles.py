"""The compiled epoch shuffles draw exactly what NumPy's ``Generator.shuffle`` draws.

The oracle is NumPy itself: the same seed, the same calls, the same arrays and the
same generator state afterwards (the state dict compares equal, so a run saved in a
project resumes the same).  Planning with another bit generator goes through
NumPy's shuffle, and giving back unreached shuffles restores the state exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlviz.core.epochs import advance, plan_call
from dlviz.core.kernels.epochs import MOVING_WORDS, STATE_WORDS, shuffle_epochs

SIZES = (0, 1, 2, 3, 4096, 5000)


def words_of(rng: np.random.Generator) -> np.ndarray:
    state = rng.bit_generator.state
    s, inc = state["state"]["state"], state["state"]["inc"]
    low = (1 << 64) - 1
    return np.array(
        [s >> 64, s & low, inc >> 64, inc & low, state["has_uint32"], state["uinteger"]],
        np.uint64,
    )


def generator(seed: int, half_kept: bool) -> np.random.Generator:
    """A default generator; with ``half_kept``, one 32-bit draw made (the state then
    keeps the other half of a 64-bit draw for the next 32-bit one)."""
    rng = np.random.default_rng(seed)
    if half_kept:
        rng.integers(0, 1000, dtype=np.uint32)
        assert rng.bit_generator.state["has_uint32"] == 1
    return rng


@pytest.mark.parametrize("half_kept", [False, True])
@pytest.mark.parametrize("n", SIZES)
def test_shuffles_are_numpys_draw_for_draw(n: int, half_kept: bool) -> None:
    for seed in range(12):
        rng, twin = generator(seed, half_kept), generator(seed, half_kept)
        rows = np.arange(n, dtype=np.int64) * 7 + 3
        for epochs in (1, 3):  # consecutive calls go on from where the last one left off
            words = words_of(rng)
            laid = np.full(5 + epochs * n, -1, np.int64)
            before = np.empty((epochs, len(MOVING_WORDS)), np.uint64)
            shuffle_epochs(words, rows, laid, 5, epochs, before)
            for e in range(epochs):
                np.testing.assert_array_equal(
                    before[e], words_of(twin)[list(MOVING_WORDS)], f"seed {seed} epoch {e}"
                )
                expected = rows.copy()
                twin.shuffle(expected)
                np.testing.assert_array_equal(laid[5 + e * n : 5 + (e + 1) * n], expected)
            assert (laid[:5] == -1).all()  # nothing written before ``first``
            np.testing.assert_array_equal(words, words_of(twin))
            # the words are the generator's whole state: set back, it draws on as NumPy's
            rng.bit_generator.state = twin.bit_generator.state
            assert rng.random() == twin.random()


def test_state_words_name_pcg64s_state() -> None:
    assert STATE_WORDS[4:] == ("has_uint32", "uinteger")
    assert [STATE_WORDS[w] for w in MOVING_WORDS] == [
        "state_hi", "state_lo", "has_uint32", "uinteger",
    ]  # fmt: skip


@pytest.mark.parametrize("half_kept", [False, True])
def test_a_plan_draws_what_numpy_draws_and_leaves_its_state(half_kept: bool) -> None:
    train = np.arange(4096, dtype=np.int64)[::2]  # not every row trains
    rng, twin = generator(3, half_kept), generator(3, half_kept)
    plan = plan_call(rng, train, np.empty(0, np.int64), 0, 10, 2048 * 5 + 7, math.inf, False)
    order, pos, ends = plan.laid_end_to_end()
    shuffles = [twin.permutation(train) for _ in range(6)]
    np.testing.assert_array_equal(order, np.concatenate(shuffles)[: int(ends[-1])])
    assert rng.bit_generator.state == twin.bit_generator.state


def same_state(a: np.random.Generator, b: np.random.Generator) -> bool:
    """Whether two generators' states are equal (MT19937's holds an array)."""

    def flat(value: object) -> object:
        if isinstance(value, dict):
            return {k: flat(v) for k, v in value.items()}
        return value.tolist() if isinstance(value, np.ndarray) else value

    return flat(a.bit_generator.state) == flat(b.bit_generator.state)


GENERATORS = {
    "pcg64": lambda seed: np.random.default_rng(seed),
    "mt19937": lambda seed: np.random.Generator(np.random.MT19937(seed)),
}


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_another_bit_generator_shuffles_through_numpy(kind: str) -> None:
    train = np.arange(30, dtype=np.int64) * 2
    rng, twin = GENERATORS[kind](4), GENERATORS[kind](4)
    plan = plan_call(rng, train, np.empty(0, np.int64), 0, 7, 100, math.inf, False)
    order, _, ends = plan.laid_end_to_end()
    # 100 rows: the fourth epoch trains 10 of them, in whole batches of 7
    np.testing.assert_array_equal(ends, [30, 60, 90, 104])
    expected = np.concatenate([twin.permutation(train) for _ in range(4)])[:104]
    np.testing.assert_array_equal(order, expected)
    assert same_state(rng, twin)


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_advancing_part_way_is_planning_only_that_far(kind: str) -> None:
    """A plan cut short by ``advance`` leaves the position and the RNG exactly as a plan of
    only the batches trained would: the shuffles it drew past them are given back."""
    cases = np.random.default_rng(0)
    for trial in range(60):
        n = int(cases.integers(1, 40))
        batch = int(cases.integers(1, 12))
        seed = int(cases.integers(0, 1000))
        # an epoch under way (part trained) or none
        under_way = np.empty(0, np.int64)
        pos = 0
        if trial % 2:
            under_way = np.random.default_rng(seed).permutation(n).astype(np.int64)
            pos = int(cases.integers(0, n))
        planned = int(cases.integers(1, 60))
        trained = int(cases.integers(0, planned + 1))
        train = np.arange(n, dtype=np.int64)

        rng = GENERATORS[kind](seed)
        if trial % 3 == 0 and kind == "pcg64":
            rng.integers(0, 9, dtype=np.uint32)  # a half kept in the state
        twin = GENERATORS[kind](seed)
        twin.bit_generator.state = rng.bit_generator.state

        plan = plan_call(rng, train, under_way, pos, batch, math.inf, planned, False)
        got = advance(plan, trained, batch, rng, under_way, pos)
        if trained:
            short = plan_call(twin, train, under_way, pos, batch, math.inf, trained, False)
            want = advance(short, trained, batch, twin, under_way, pos)
        else:
            want = (under_way, pos, 0, 0)
        np.testing.assert_array_equal(got[0], want[0], f"trial {trial}")
        assert got[1:] == want[1:], f"trial {trial}"
        assert same_state(rng, twin), f"trial {trial}"
        # and what the next plan draws is the same
        after = plan_call(rng, train, got[0], got[1], batch, math.inf, 9, False)
        again = plan_call(twin, train, want[0], want[1], batch, math.inf, 9, False)
        np.testing.assert_array_equal(after.laid_end_to_end()[0], again.laid_end_to_end()[0])


def test_the_kernel_source_also_matches_as_plain_python() -> None:
    """With NUMBA_DISABLE_JIT=1 the kernel's own source runs in the interpreter (its
    128-bit step through Python integers): the same draws as NumPy's."""
    import os
    import subprocess
    import sys

    code = (
        "import numpy as np, warnings\n"
        "warnings.simplefilter('ignore', RuntimeWarning)\n"  # uint64 wrap-around, as compiled
        "from tests.core.test_epoch_shuffles import generator, words_of\n"
        "from dlviz.core.kernels.epochs import shuffle_epochs\n"
        "for seed in range(3):\n"
        "    for n in (0, 1, 2, 3, 70):\n"
        "        for half in (False, True):\n"
        "            rng, twin = generator(seed, half), generator(seed, half)\n"
        "            rows = np.arange(n, dtype=np.int64)\n"
        "            words, laid = words_of(rng), np.empty(2 * n, np.int64)\n"
        "            shuffle_epochs(words, rows, laid, 0, 2, np.empty((2, 4), np.uint64))\n"
        "            want = [rows.copy() for _ in range(2)]\n"
        "            for a in want:\n"
        "                twin.shuffle(a)\n"
        "            assert np.array_equal(laid, np.concatenate(want)), (seed, n, half)\n"
        "            assert np.array_equal(words, words_of(twin)), (seed, n, half)\n"
        "print('matched')\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0 and "matched" in out.stdout, out.stdout + out.stderr
