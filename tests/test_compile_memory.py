"""tg.compile's memory: the recorded calls keep no array of the step alive (compiler/record.py).
"""

import tracemalloc

import numpy as np

import tinygrad_edu as tg


def test_the_recordings_do_not_keep_the_steps_arrays_alive():
    """Eager mode frees a value after its last reader; so does a recorded call (the recorder
    keeps weak references and ghosts)."""
    x = tg.tensor(np.ones((256, 256), np.float32))

    def step(inp):
        y = inp
        for _ in range(20):  # 20 values of 256 KiB, each dead once the next is made
            y = y * 1.001
        return y.sum()

    fast = tg.compile(step)
    step(x)  # warm up eager mode's own allocations
    peaks = []
    for _ in range(4):
        tracemalloc.start()
        fast(x)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # eager mode: ~2 values alive at once (512 KiB); everything kept would be 5 MiB
    assert peaks[0] < 1.5 * 2**20, peaks
