from absl import app
import haiku as hk
import flax.linen as nn
import jax.numpy as jnp
from mpl_toolkits.mplot3d import Axes3D
import tensorflow_datasets as tfds
