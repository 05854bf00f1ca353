from transformers import (
    AutoModel,
    AutoTokenizer,
)
import os, \
    requests
import numpy; import scipy
