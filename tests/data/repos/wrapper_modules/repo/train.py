import numpy as np

from utils import wandb as wb
from utils.wandb import log

log({"loss": float(np.zeros(1)[0])})
print(wb)
