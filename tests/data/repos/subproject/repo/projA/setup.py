from setuptools import setup
setup(name='projA_lib')
