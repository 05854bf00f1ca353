import torch
from scipy import integrate


def odeint(func, y0, t):
    return torch.stack([y0 for _ in t]), integrate
