"""The bundled synthetic repositories behind the demo papers.

Each entry is ``{"toolcensus-demo/<name>": {path: text or bytes}}``; the
loopback GitHub server packs them into codeload-style archives. The code is
written for this project (it only needs to look like research code), and
``EXPECTED`` records the tools the extractor must find in each, which the
integration test checks. ``demo-missing`` is deliberately absent (a 404).
"""

from __future__ import annotations

OWNER = "toolcensus-demo"

_TRAIN_PT = """import argparse
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from tqdm import tqdm

from models.resnet import ResNet18
from .utils import accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    model = ResNet18()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in tqdm(range(args.epochs)):
        opt.step()


if __name__ == "__main__":
    main()
"""

_NOTEBOOK = """{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Experiments\\n", "import nothing here"]},
  {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
   "source": ["!pip install einops==0.6.0\\n", "%matplotlib inline\\n", "import torch\\n",
              "import pandas as pd\\n", "import matplotlib.pyplot as plt"]},
  {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
   "source": ["from einops import rearrange\\n", "df = pd.DataFrame()"]}
 ],
 "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
 "nbformat": 4, "nbformat_minor": 5
}
"""

REPOS: dict[str, dict[str, str | bytes]] = {
    "pt-classifier": {
        "README.md": "# ResNet toy\n\n```bash\npip install -r requirements.txt\n```\n",
        "requirements.txt": "torch>=1.4\ntorchvision==0.5.0\nnumpy\ntqdm  # progress bars\n",
        "train.py": _TRAIN_PT,
        "models/__init__.py": "",
        "models/resnet.py": "import torch.nn as nn\n\n\nclass ResNet18(nn.Module):\n    pass\n",
        "utils.py": "def accuracy(x):\n    return x\n",
    },
    "tf1-gan": {
        "requirements.txt": "tensorflow-gpu==1.15.0\nscipy>=1.2\nPillow\n",
        "gan.py": "import tensorflow as tf\nimport scipy.misc\nfrom PIL import Image\n\n"
                  "x = tf.placeholder(tf.float32)\nsess = tf.Session()\n",
    },
    "tf2-seq": {
        "setup.py": "from setuptools import setup, find_packages\n\nsetup(\n    name='seqlib',\n"
                    "    packages=find_packages(),\n"
                    "    install_requires=['tensorflow>=2.1', 'tensorflow-datasets',"
                    " 'absl-py'],\n)\n",
        "seqlib/__init__.py": "",
        "seqlib/model.py": "import tensorflow as tf\nimport tensorflow_datasets as tfds\n"
                           "from absl import flags\n\nfrom seqlib import data\n",
        "seqlib/data.py": "import sentencepiece as spm\n",
    },
    "keras-standalone": {
        "requirements.txt": "keras==2.2.4\ntensorflow==1.13.1\nh5py\n",
        "model.py": "import keras\nfrom keras.layers import Dense\nimport h5py\n",
    },
    "theano-py2": {
        "train.py": "import cPickle\nimport theano\nimport theano.tensor as T\nimport numpy\n\n"
                    "print 'training'\nexec 'x = 1'\n",
        "utils.py": "import urllib2\nfrom StringIO import StringIO\nimport lasagne\n",
    },
    "notebook-only": {
        "experiments.ipynb": _NOTEBOOK,
    },
    "jax-flax": {
        "pyproject.toml": '[project]\nname = "jaxexp"\nversion = "0.1"\n'
                          'dependencies = ["jax>=0.4", "flax", "optax"]\n',
        "jaxexp/__init__.py": "",
        "jaxexp/train.py": "import jax\nimport jax.numpy as jnp\nimport flax.linen as nn\n"
                           "import optax\nfrom jaxexp import model\n",
        "jaxexp/model.py": "import haiku as hk\n",
    },
    "numpy-only": {
        "sim.py": "import numpy as np\nimport scipy.linalg\nimport math\nimport os.path\n",
        "plot.py": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n",
    },
    "setup-only": {
        "setup.py": "from setuptools import setup\n\nwith open('requirements.txt') as f:\n"
                    "    reqs = f.read().splitlines()\n\nsetup(name='x', install_requires=reqs)\n",
        "requirements.txt": "torch\nscikit-learn>=0.22\n",
        "x/__init__.py": "",
    },
    "no-deps-file": {
        "main.py": "import cv2\nfrom PIL import Image\nfrom sklearn.metrics import f1_score\n"
                   "import torch\nimport yaml\nfrom skimage import io\n",
        "configs/yaml/default.yaml": "lr: 0.1\n",
    },
    "conda-env": {
        "environment.yml": "name: exp\nchannels:\n  - pytorch\n  - conda-forge\ndependencies:\n"
                           "  - python=3.7\n  - pytorch=1.4\n  - cudatoolkit=10.1\n"
                           "  - numpy\n  - pip\n  - pip:\n    - wandb==0.9.1\n",
        "run.py": "import torch\nimport wandb\n",
    },
    "poetry-proj": {
        "pyproject.toml": '[tool.poetry]\nname = "poet"\nversion = "0.1.0"\n\n'
                          '[tool.poetry.dependencies]\npython = "^3.8"\n'
                          'torch = "^1.10"\nhydra-core = "^1.1"\n',
        "poet/__init__.py": "import hydra\nimport torch\nfrom omegaconf import DictConfig\n",
    },
    "mxnet-repo": {
        "requirements.txt": "mxnet-cu101\ngluoncv\n",
        "train.py": "import mxnet as mx\nfrom mxnet import gluon\nimport gluoncv\n",
    },
    "chainer-repo": {
        "requirements.txt": "chainer>=6\ncupy-cuda101\n",
        "train.py": "import chainer\nimport chainer.functions as F\nimport cupy\n",
    },
    "paddle-repo": {
        "requirements.txt": "paddlepaddle-gpu==2.0.0\n",
        "train.py": "import paddle\nimport paddle.nn as nn\n",
    },
    "r-only": {
        "analysis.R": "library(ggplot2)\n",
        "README.md": "R code only.\n",
    },
    "pt-lightning": {
        "requirements.txt": "pytorch-lightning>=1.0\nhydra-core\nwandb\ntorch\n",
        "train.py": "import pytorch_lightning as pl\nimport hydra\nimport wandb\nimport torch\n",
        "scripts/setup.sh": "#!/bin/sh\npip install -U einops timm\n",
    },
    "hf-transformers": {
        "requirements.txt": "transformers==4.30.0\ndatasets\ntorch\naccelerate\n",
        "run_glue.py": "from transformers import AutoModel\nimport datasets\nimport torch\n"
                       "from accelerate import Accelerator\nimport evaluate\n",
    },
    "rl-gym": {
        "requirements.txt": "gym==0.21\nmujoco-py<2.2\nstable-baselines3\n",
        "agent.py": "import gym\nimport mujoco_py\nfrom stable_baselines3 import PPO\n"
                    "import torch\n",
    },
    "graph-dgl": {
        "main.py": "import dgl\nimport torch_geometric\nfrom torch_geometric.data import Data\n"
                   "import networkx as nx\nimport torch\n",
    },
    "tf-keras": {
        "requirements.txt": "tensorflow==2.4.0\n",
        "model.py": "import tensorflow as tf\nfrom tensorflow import keras\n"
                    "from tensorflow.keras import layers\n",
    },
    "gbk-encoded": {
        "main.py": "# -*- coding: gbk -*-\n# 中文注释\nimport torch\nimport jieba\n".encode("gbk"),
        "data/blob.py": b"\x00\x01\x02\xff\xfe binary junk",
        "yaml/settings.yaml": "a: 1\n",
        "loader.py": "import yaml\n",
    },
    "src-layout": {
        "setup.cfg": "[metadata]\nname = mypkg\n\n[options]\ninstall_requires =\n"
                     "    requests>=2\n    numpy\n",
        "src/mypkg/__init__.py": "from mypkg.core import run\n",
        "src/mypkg/core.py": "import requests\nimport numpy as np\nimport mypkg.helpers\n",
        "src/mypkg/helpers.py": "",
    },
    "pipfile-repo": {
        "Pipfile": '[packages]\ntorch = "*"\nmatplotlib = ">=3.0"\n\n'
                   '[dev-packages]\npytest = "*"\n',
        "main.py": "import torch\nimport matplotlib\n",
    },
}

# Tools each demo repository must yield (a subset check: the extractor may find more).
EXPECTED: dict[str, set[str]] = {
    "pt-classifier": {"torch", "torchvision", "numpy", "tqdm"},
    "tf1-gan": {"tensorflow-gpu", "scipy", "pillow"},
    "tf2-seq": {"tensorflow", "tensorflow-datasets", "absl-py", "sentencepiece"},
    "keras-standalone": {"keras", "tensorflow", "h5py"},
    "theano-py2": {"theano", "numpy", "lasagne"},
    "notebook-only": {"torch", "pandas", "matplotlib", "einops"},
    "jax-flax": {"jax", "flax", "optax", "dm-haiku"},
    "numpy-only": {"numpy", "scipy", "matplotlib"},
    "setup-only": {"torch", "scikit-learn"},
    "no-deps-file": {"opencv-python", "pillow", "scikit-learn", "torch", "pyyaml", "scikit-image"},
    "conda-env": {"torch", "numpy", "wandb"},
    "poetry-proj": {"torch", "hydra-core", "omegaconf"},
    "mxnet-repo": {"mxnet-cu101", "gluoncv"},
    "chainer-repo": {"chainer", "cupy-cuda101"},
    "paddle-repo": {"paddlepaddle-gpu"},
    "pt-lightning": {"pytorch-lightning", "hydra-core", "wandb", "torch", "einops", "timm"},
    "hf-transformers": {"transformers", "datasets", "torch", "accelerate", "evaluate"},
    "rl-gym": {"gym", "mujoco-py", "stable-baselines3", "torch"},
    "graph-dgl": {"dgl", "torch-geometric", "networkx", "torch"},
    "tf-keras": {"tensorflow"},
    "gbk-encoded": {"torch", "jieba", "pyyaml"},
    "src-layout": {"requests", "numpy"},
    "pipfile-repo": {"torch", "matplotlib"},
}

# Frameworks each repository must be grouped into (exact).
EXPECTED_FRAMEWORKS: dict[str, set[str]] = {
    "pt-classifier": {"pytorch"},
    "tf1-gan": {"tensorflow"},
    "tf2-seq": {"tensorflow"},
    "keras-standalone": {"keras"},  # tensorflow is only declared (the backend)
    "theano-py2": {"theano"},
    "notebook-only": {"pytorch"},
    "jax-flax": {"jax"},
    "numpy-only": set(),
    "tf-keras": {"tensorflow"},
    "mxnet-repo": {"mxnet"},
    "chainer-repo": {"chainer"},
    "paddle-repo": {"paddlepaddle"},
    "src-layout": set(),
}


def demo_repos() -> dict[str, dict[str, str | bytes]]:
    """The repositories keyed ``owner/name`` as the loopback GitHub server wants them."""
    return {f"{OWNER}/{name}": files for name, files in REPOS.items()}
