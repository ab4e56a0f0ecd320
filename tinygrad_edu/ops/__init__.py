"""The differentiable ops: each a ``Function`` with its forward and derivative side by side."""
