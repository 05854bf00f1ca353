import pkg_resources

import numpy as np

VERSION = pkg_resources.get_distribution("plug").version
