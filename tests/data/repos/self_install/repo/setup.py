import os
import sys

from setuptools import find_packages, setup

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fastdiff"))
from version import __version__  # noqa: E402  (fastdiff/version.py, inside the package)

NAME = "Fast_Diff"

setup(
    name=NAME,
    version=__version__,
    packages=find_packages(),
    install_requires=["torch>=1.8", "scipy"],
)
