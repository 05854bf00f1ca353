from tensorflow import keras
from tensorflow.keras.layers import Dense
