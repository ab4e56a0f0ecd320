"""``tinygrad_edu.utils.data``: data sets and minibatches, as PyTorch's ``torch.utils.data``."""

from tinygrad_edu.utils.data.dataloader import DataLoader, default_collate
from tinygrad_edu.utils.data.dataset import Dataset, Subset, TensorDataset, random_split
from tinygrad_edu.utils.data.worker import get_worker_info

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate",
           "get_worker_info", "random_split"]
