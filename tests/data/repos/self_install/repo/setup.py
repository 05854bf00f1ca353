from setuptools import find_packages, setup

NAME = "Fast_Diff"

setup(
    name=NAME,
    version="0.3.1",
    packages=find_packages(),
    install_requires=["torch>=1.8", "scipy"],
)
