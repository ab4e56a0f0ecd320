"""PyTorch's ``randperm``: its two Fisher–Yates shuffles, with the swaps followed in numpy.

PyTorch's CPU ``randperm(n)`` runs one of two loops (ATen's ``randperm_cpu``):

- n < 214,748,364 ((2³² - 1) / 20): start from 0, 1, …, n-1 and for i = 0 … n-2
  swap places i and i + (32-bit draw mod (n - i)) — ``swap_forward`` below;
- larger n, where a 32-bit draw mod n would favour small values: the
  "inside-out" shuffle, for i = 0 … n-1: z = 64-bit draw mod (i + 1), place i
  takes what is at place z, and place z takes i — ``inside_out`` below.

The draws are all made first, in one batch (they do not depend on the swaps).
The swaps are sequential, and a Python loop over them costs ~0.5 s for a million
(``loop_forward`` and ``loop_inside_out`` are those loops, kept as the
reference the tests compare with). The same permutation can be had without a
loop, from the observation that each swap moves a value whose origin can be
looked up: see the two functions' docstrings. Measured, the shuffle alone:
n = 60,000 (MNIST's DataLoader) loop 10.4 ms, numpy 3.6 ms; n = 10⁶ 349 -> 93 ms.
Beyond the limit a Python list could not even hold the places (8 GB of ints for
2·10⁸); the numpy version needs about 65 bytes a place at its peak. Checked once
against PyTorch at n = 214,748,364, the first n of the 64-bit path: the same
permutation and generator state (PyTorch 12 s, this 90 s, 14 GB).
"""

from __future__ import annotations

import numpy as np

# PyTorch takes the 32-bit shuffle for n below this (``std::numeric_limits<uint32_t>::max() / 20``)
SMALL_N_LIMIT = (2**32 - 1) // 20


def loop_forward(offsets: list[int]) -> list[int]:
    """PyTorch's loop for n < ``SMALL_N_LIMIT``, as written: n = len(offsets) + 1."""
    order = list(range(len(offsets) + 1))
    for i, offset in enumerate(offsets):
        j = i + offset
        order[i], order[j] = order[j], order[i]
    return order


def loop_inside_out(sources: list[int]) -> list[int]:
    """PyTorch's loop for larger n, as written: place i takes place z's value, z takes i."""
    order = [0] * len(sources)
    for i, z in enumerate(sources):
        order[i] = order[z] if z != i else i
        order[z] = i
    return order


def _previous_same(targets: np.ndarray) -> np.ndarray:
    """For each step k, the last earlier step with the same target (-1 if none)."""
    count = len(targets)
    # sort the steps by (target, step) as one int64 key: numpy's SIMD sort takes 7 ms for
    # a million, a stable argsort 88 ms (target · count + step < n² fits below n = 3·10⁹)
    keys = targets * count
    keys += np.arange(count)
    keys.sort()
    sorted_targets, sorted_steps = np.divmod(keys, count)
    del keys
    same = sorted_targets[1:] == sorted_targets[:-1]
    previous = np.full(count, -1, dtype=np.int64)
    previous[sorted_steps[1:][same]] = sorted_steps[:-1][same]
    return previous


def _last_per_target(targets: np.ndarray, n: int) -> np.ndarray:
    """For each place p, the last step that targets p (-1 if none)."""
    last = np.full(n, -1, dtype=np.int64)
    last[targets] = np.arange(len(targets))  # numpy assigns in order: the last step wins
    return last


def _follow(pointer: np.ndarray) -> np.ndarray:
    """Where each chain p -> pointer[p] -> … ends (at a q with pointer[q] == q), by doubling."""
    while True:
        further = pointer[pointer]
        if np.array_equal(further, pointer):
            return pointer
        pointer = further


def swap_forward(offsets: np.ndarray) -> np.ndarray:
    """``loop_forward`` without the loop.

    Step i swaps places i and j_i = i + offsets[i] (j_i ≥ i), so place i is final
    after step i, and it receives what place j_i held then. Call W_i the value
    at place i when step i starts (it leaves for j_i). A place p ≥ i changed
    only when an earlier step k targeted it, receiving W_k; so
    W_i = W_k for the last step k < i targeting i, or i if none (a chain back to
    an untouched place), and the final value at i is what place j_i held: W_i if
    j_i = i, else W_k for the last step k < i targeting j_i, or j_i if none.
    """
    n = len(offsets) + 1
    steps = np.arange(n - 1, dtype=np.int64)
    targets = steps + offsets.astype(np.int64)
    previous = _previous_same(targets)
    places = np.arange(n, dtype=np.int64)
    source = _last_per_target(targets, n)  # the last step k ≤ p targeting p ...
    itself = source[:-1] == steps  # ... is p itself (a swap with itself): the one before
    source[:-1][itself] = previous[itself]
    source[source < 0] = places[source < 0]  # never targeted before: keeps its own value
    value_when_leaving = _follow(source)  # W
    final = np.empty(n, dtype=np.int64)
    final[-1] = value_when_leaving[-1]
    earlier = previous >= 0
    final[:-1] = np.where(earlier, value_when_leaving[np.maximum(previous, 0)], targets)
    stays = targets == steps
    final[:-1][stays] = value_when_leaving[:-1][stays]
    return final


def inside_out(sources: np.ndarray) -> np.ndarray:
    """``loop_inside_out`` without the loop.

    Step i writes place i (with what place z_i held, or i when z_i = i) and
    then place z_i (with i). So place p ends with the last step i > p that
    chose z_i = p, if any; else with D_p, what step p copied: p if z_p = p; else
    the last step k with z_p < k < p and z_k = z_p (it wrote k there), if any;
    else D of z_p, which wrote it first (a chain back to a step that chose itself).
    """
    n = len(sources)
    sources = sources.astype(np.int64, copy=False)
    steps = np.arange(n, dtype=np.int64)
    previous = _previous_same(sources)
    # D by chains: a step that copied a value written by a later-chosen step is done;
    # one that copied place z's first value points to z
    copied_written = previous > sources
    done = (sources == steps) | copied_written
    pointer = np.where(done, steps, sources)
    value = np.where(copied_written, previous, steps)
    copied = value[_follow(pointer)]
    last = _last_per_target(sources, n)
    return np.where(last > steps, last, copied)
