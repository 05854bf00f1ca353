import setuptools

with open('install_reqs.txt') as f:
    reqs = f.read().splitlines()

setuptools.setup(name='x', install_requires=reqs)
