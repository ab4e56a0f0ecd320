"""The benchmark suite: tinygrad_edu beside hand-written numpy and PyTorch (``make bench``)."""
