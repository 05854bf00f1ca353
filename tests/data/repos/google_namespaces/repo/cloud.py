from google.cloud import storage, bigquery
import google.protobuf.text_format
from google.colab import drive
import google.auth
