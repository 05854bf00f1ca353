import keras
from keras.layers import Dense
import numpy
