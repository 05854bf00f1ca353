import projA_lib
import numpy
