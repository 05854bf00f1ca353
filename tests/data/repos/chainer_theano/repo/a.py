import chainer
import chainer.functions as F
import cupy
