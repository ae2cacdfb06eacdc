"""Epoch planning: shuffles laid end to end train as one call per epoch would."""

from __future__ import annotations

import math

import numpy as np

from dlviz.core.epochs import MAX_CALL_ROWS, advance, batch_rows, plan_call


def test_batch_rows_gd_takes_every_row_others_the_batch():
    assert batch_rows("gd", 10, 37) == 37
    assert batch_rows("sgd", 10, 37) == 10
    assert batch_rows("adam", 64, 20) == 20  # never more than the rows there are
    assert batch_rows("adam", 64, 0) == 1  # nothing to train on: still a valid size


def test_a_plan_spans_epochs_each_shuffled_in_turn_from_the_one_rng():
    train = np.arange(10, dtype=np.int64) * 3
    rng = np.random.default_rng(5)
    plan = plan_call(rng, train, np.empty(0, np.int64), 0, 4, 25, math.inf, False)
    # oracle: the same RNG drawing one epoch's shuffle at a time
    twin = np.random.default_rng(5)
    shuffles = [twin.permutation(train) for _ in range(3)]
    order, pos, ends = plan.laid_end_to_end()
    assert pos == 0
    # 25 rows asked for: the budget rounds up to whole batches (two of 4 in the third epoch)
    np.testing.assert_array_equal(ends, [10, 20, 28])
    np.testing.assert_array_equal(order, np.concatenate(shuffles)[:28])
    # batches stop at each epoch's end: 3 + 3 + 2 batches of at most 4 rows
    assert plan.seg_batches.tolist() == [3, 3, 2] and plan.batches == 8


def test_one_epoch_and_the_row_cap_end_a_plan():
    train = np.arange(10, dtype=np.int64)
    plan = plan_call(np.random.default_rng(0), train, np.empty(0, np.int64), 0, 4, math.inf,
                     math.inf, True)  # fmt: skip
    assert plan.seg_rows.tolist() == [10]
    big = np.arange(MAX_CALL_ROWS // 2 + 1, dtype=np.int64)
    plan = plan_call(np.random.default_rng(0), big, np.empty(0, np.int64), 0, 1000, math.inf,
                     math.inf, False)  # fmt: skip
    assert plan.seg_rows.size == 2  # a third epoch would pass MAX_CALL_ROWS


def test_advancing_part_way_gives_unreached_shuffles_back_to_the_rng():
    train = np.arange(10, dtype=np.int64)
    rng = np.random.default_rng(9)
    empty = np.empty(0, np.int64)
    plan = plan_call(rng, train, empty, 0, 4, math.inf, 8, False)  # 3 epochs' shuffles
    assert plan.seg_rows.size == 3
    # only the first epoch and one batch of the second were trained
    order, pos, steps, epochs = advance(plan, 4, 4, rng, empty, 0)
    assert (steps, epochs, pos) == (4, 1, 4)
    np.testing.assert_array_equal(order, plan.order_of(1))
    # the third epoch's shuffle was given back: the next plan draws the same one again
    again = plan_call(rng, train, order, pos, 4, math.inf, math.inf, False)
    np.testing.assert_array_equal(again.order_of(1), plan.order_of(2))
    # nothing trained: position and RNG as before the plan
    rng2 = np.random.default_rng(9)
    before = dict(rng2.bit_generator.state)
    plan2 = plan_call(rng2, train, empty, 0, 4, math.inf, 5, False)
    order2, pos2, steps2, epochs2 = advance(plan2, 0, 4, rng2, empty, 0)
    assert (order2.size, pos2, steps2, epochs2) == (0, 0, 0, 0)
    assert rng2.bit_generator.state == before
