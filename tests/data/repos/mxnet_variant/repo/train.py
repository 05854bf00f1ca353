import mxnet as mx
from mxnet import gluon
import gluoncv
