"""``tinygrad_edu.utils.data``: data sets and minibatches, as PyTorch's ``torch.utils.data``."""

from tinygrad_edu.utils.data.dataloader import DataLoader, default_collate
from tinygrad_edu.utils.data.dataset import Dataset, Subset, TensorDataset, random_split
from tinygrad_edu.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["BatchSampler", "DataLoader", "Dataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "default_collate", "random_split"]
