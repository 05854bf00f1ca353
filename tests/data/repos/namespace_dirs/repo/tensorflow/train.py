import tensorflow as tf
from datasets.coco import CocoDataset
