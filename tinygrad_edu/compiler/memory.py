"""Where a program's buffers live: values whose lifetimes do not overlap share memory.

Eager mode's peak memory is what is alive at once: numpy frees an array once its
last reader has run. A program that gave each value a buffer of its own would hold
all of them at once, on every run (benchmark case 7's 784-256-256-10 net: 3.6 MB of
buffers, where eager mode's step peaks at 1.9 MB). So, as a compiler's memory
planner does, in three steps:

1. **Lifetimes** (``lifetimes``): walk the second recording's units in order; a
   value lives from the unit that makes it to the last unit that reads or writes
   it. A view keeps the memory of the array it views alive (the recorder notes
   which slot's memory each slot uses). A node's backward reads what its node holds.
   A value stored as a ``.grad`` lives until the step sets that ``.grad`` to None;
   one the step returns, until the end of the run.
2. **Placement** (``place``): largest first, each buffer goes at the lowest offset
   of one flat block where it overlaps no buffer placed before whose lifetime
   overlaps its own (the "greedy by size" heuristic of TensorFlow Lite's planner).
3. **Views** (``Buffers``): each buffer is a view of that block, of its slot's shape,
   dtype and strides.

Values that outlive a run get buffers of their own: a ``.grad`` the step leaves
set (the user reads it after the step, and the next run may add into it).
Which values get a buffer at all is known only once the build has chosen a
kernel for each op, so the build runs twice: once to ask (``Buffers.survey``: every
buffer is a view of the same scratch block, and that program is thrown away), once
with the buffers placed (``Buffers.planned``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.compiler.record import Recorder
from tinygrad_edu.tensor import Tensor

ALIGN = 64  # bytes: each buffer starts on a cache line, as numpy's own large arrays do
FOREVER = float("inf")  # the end of a value that outlives the run


def empty_as(layout: tuple, memory: np.ndarray | None = None) -> np.ndarray | None:
    """An array of ``layout`` (shape, dtype, strides) in ``memory`` (flat bytes, large
    enough) or in new memory; None if no dense array has those strides (a slice's)."""
    shape, dtype, strides = layout
    order = sorted(range(len(shape)), key=lambda axis: -abs(strides[axis]))  # outer first
    dense_shape = [shape[axis] for axis in order]
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if memory is None or size == 0:
        dense = np.empty(dense_shape, dtype)
    else:
        dense = memory[:size].view(dtype).reshape(dense_shape)
    array = dense.transpose(np.argsort(order))
    return array if array.strides == strides else None


def nbytes(layout: tuple) -> int:
    """The bytes of a dense array of ``layout``, rounded up to ``ALIGN``."""
    shape, dtype, _ = layout
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return -(-max(size, 1) // ALIGN) * ALIGN


# ----- 1. lifetimes ------------------------------------------------------------------------
class _Uses:
    """The first and last position at which each memory (a slot's owner) is used."""

    def __init__(self, owner: list) -> None:
        self.owner = owner
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def add(self, slot: int | None, position: float) -> None:
        if slot is None:
            return
        memory = self.owner[slot]
        self.first[memory] = min(self.first.get(memory, position), position)
        self.last[memory] = max(self.last.get(memory, position), position)


def lifetimes(second: Recorder, result_slots: set) -> dict:
    """Per memory (the slot that owns it): (first position, last position) of its use, in
    the order the program runs the units (a backward's ops each a position of their own,
    before the backward's); the end is ``FOREVER`` for a value kept as a ``.grad`` after
    the run."""
    uses = _Uses(second.owner)
    holding: dict[int, int] = {}  # id(leaf) -> the slot its .grad holds
    position = 0
    for unit in second.units:
        for child in unit.children or ():
            position += 1
            _read_and_made(uses, second, child, position)
        position += 1
        _read_and_made(uses, second, unit, position)
        for slot in unit.held:  # what the node holds: its backward reads it
            uses.add(slot, position)
        if unit.kind == "accumulate" and unit.outputs[0] is not None:
            holding[id(unit.target)] = unit.outputs[0]
        dropped = {id(unit.target)} if unit.kind == "drop_grad" else unit.cleared
        for key in dropped:
            uses.add(holding.pop(key, None), position)
    for slot in result_slots:  # read after the last unit, to build the return value
        uses.add(slot, position + 1)
    for slot in holding.values():  # a .grad the step leaves set: kept after the run
        uses.add(slot, FOREVER)
    return {memory: (uses.first[memory], uses.last[memory]) for memory in uses.first}


def _read_and_made(uses: _Uses, second: Recorder, unit: Any, position: int) -> None:
    """Record the slots a unit reads (its arguments, ghosts of earlier outputs) and makes."""
    for value in unit.leaves:  # (flattened: an index's arrays are leaves too)
        array = value.array if isinstance(value, Tensor) else value
        if isinstance(array, np.ndarray):
            uses.add(second.slot(array), position)
    for slot in unit.outputs:
        uses.add(slot, position)


# ----- 2. placement -------------------------------------------------------------------------
def place(requests: dict) -> tuple[dict, int]:
    """Offsets in one block for ``requests`` (key -> (bytes, first, last)), so that two
    buffers whose lifetimes overlap never overlap in memory; and the block's size.
    Largest first, each at the lowest offset that fits between the buffers already
    placed that are alive at the same time."""
    placed: list = []  # (offset, end offset, first, last)
    offsets = {}
    for key, (size, first, last) in sorted(requests.items(), key=lambda item: -item[1][0]):
        offset = 0
        busy = sorted((lo, hi) for lo, hi, a, b in placed if a <= last and first <= b)
        for lo, hi in busy:
            if offset + size <= lo:
                break
            offset = max(offset, hi)
        offsets[key] = offset
        placed.append((offset, offset + size, first, last))
    return offsets, max((hi for _, hi, _, _ in placed), default=0)


# ----- 3. the buffers -----------------------------------------------------------------------
class Buffers:
    """Hands out the build's buffers: ``get(slot)`` is an array of the slot's layout."""

    def __init__(self, second: Recorder, block: np.ndarray, offsets: dict | None) -> None:
        self.layouts = second.layouts
        self.block = block  # the memory that buffers share
        self.offsets = offsets  # slot -> its buffer's offset in block (None: all at 0)
        self.asked: set = set()  # the slots a buffer was asked for

    @classmethod
    def survey(cls, second: Recorder) -> Buffers:
        """Buffers that note which slots ask for one: all of them views of one scratch
        block as large as the largest (the program built with them is never run)."""
        largest = max([nbytes(layout) for layout in second.layouts[second.n_inputs:]
                       if layout is not None], default=0)
        return cls(second, np.empty(largest, np.uint8), None)

    @classmethod
    def planned(cls, second: Recorder, asked: set, result_slots: set) -> Buffers:
        """Buffers for the slots in ``asked``: those whose lifetimes end in the run share
        one block (``place``); the others get memory of their own."""
        spans = lifetimes(second, result_slots)
        requests = {}
        for slot in asked:
            first, last = spans.get(slot, (0, FOREVER))
            if second.owner[slot] == slot and last != FOREVER:
                requests[slot] = (nbytes(second.layouts[slot]), first, last)
        offsets, size = place(requests)
        return cls(second, _aligned_block(size), offsets)

    def get(self, slot: int) -> np.ndarray | None:
        """A buffer for ``slot``'s values (None if its strides are not a dense array's)."""
        self.asked.add(slot)
        layout = self.layouts[slot]
        if self.offsets is None:  # the survey
            return empty_as(layout, self.block)
        offset = self.offsets.get(slot)
        return empty_as(layout) if offset is None else empty_as(layout, self.block[offset:])


def _aligned_block(size: int) -> np.ndarray:
    """``size`` bytes whose first byte is on an ``ALIGN`` boundary."""
    raw = np.empty(size + ALIGN, np.uint8)
    skip = -raw.ctypes.data % ALIGN
    return raw[skip:skip + size]
