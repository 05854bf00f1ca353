# -*- coding: gbk -*-
# 训练脚本
import torch
print('模型')
