import paddle
import paddle.nn as nn
