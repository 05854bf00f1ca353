import os
os.system('touch PWNED')
raise SystemExit('do not run me')
from setuptools import setup
setup(install_requires=['gym'])
