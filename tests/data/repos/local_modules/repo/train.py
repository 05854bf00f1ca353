import models
from models.resnet import ResNet
import utils
import torch
