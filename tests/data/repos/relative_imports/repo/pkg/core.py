from .utils import x
from ..other import y
from . import z
import numpy
