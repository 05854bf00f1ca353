import gym
import mujoco_py
import dgl
from torch_geometric.data import Data
