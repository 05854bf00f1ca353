from setuptools import setup
REQUIRED = ['requests', 'tqdm']
EXTRAS = {'gpu': ['cupy']}
setup(name='x', install_requires=REQUIRED + ['pyyaml'], extras_require=EXTRAS)
