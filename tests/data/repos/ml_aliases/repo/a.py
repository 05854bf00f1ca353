import cv2
from PIL import Image
from sklearn.svm import SVC
import skimage.io
import yaml
from bs4 import BeautifulSoup
import attr
