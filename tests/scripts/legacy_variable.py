"""An old-style (PyTorch 0.3) script: Variable, FloatTensor, .type() and .data."""

import numpy as np
import torch
from torch.autograd import Variable

dtype = torch.FloatTensor
rng = np.random.default_rng(3)
x = Variable(torch.from_numpy(rng.standard_normal((16, 3))).type(dtype), requires_grad=False)
y = Variable(torch.from_numpy(rng.standard_normal((16, 2))).type(dtype), requires_grad=False)
w1 = Variable(torch.from_numpy(rng.standard_normal((3, 5))).type(dtype), requires_grad=True)
w2 = Variable(torch.from_numpy(rng.standard_normal((5, 2))).type(dtype), requires_grad=True)
print(x.type(), isinstance(x, torch.FloatTensor), isinstance(x, torch.DoubleTensor))
print(torch.LongTensor([1, 2, 3]), torch.FloatTensor(2, 3).size())

learning_rate = 2e-3
for t in range(50):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 0:
        print(t, round(loss.item(), 3))
    loss.backward()
    w1.data -= learning_rate * w1.grad.data
    w2.data -= learning_rate * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()
print(loss)
print(w2.data.type(), w2.grad)
