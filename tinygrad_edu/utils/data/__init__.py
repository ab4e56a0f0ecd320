"""``tinygrad_edu.utils.data``: data sets and minibatches, as PyTorch's ``torch.utils.data``."""

from tinygrad_edu.utils.data.dataloader import DataLoader, default_collate
from tinygrad_edu.utils.data.dataset import Dataset, Subset, TensorDataset, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]
