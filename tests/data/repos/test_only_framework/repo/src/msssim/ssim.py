import torch
import torch.nn.functional as F


def ssim(x, y):
    return F.mse_loss(x, y) + torch.zeros(1)
