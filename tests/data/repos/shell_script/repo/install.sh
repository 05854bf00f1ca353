#!/bin/bash
set -e
conda install -y -c pytorch pytorch=1.4 torchvision cudatoolkit=10.1
pip install -U pip
pip install --no-cache-dir \
    'tensorflow==1.15' gym[atari]
