import brax
import jax.numpy as jnp
from brax import envs


def make(name):
    return envs.create(name), jnp.zeros(1), brax
