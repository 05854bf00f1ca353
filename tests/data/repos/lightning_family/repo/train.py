import pytorch_lightning as pl
import torch
from torchvision import models
