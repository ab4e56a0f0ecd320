"""``torch.backends.cudnn``: its flags can be set (``cudnn.benchmark = True``) and change
nothing; cuDNN itself is not available. Defaults are PyTorch's."""

enabled = True
benchmark = False
deterministic = False


def is_available() -> bool:
    return False
