from setuptools import setup

setup(name="plug", install_requires=["numpy"])
