from setuptools import setup, find_packages

setup(
    name='proj',
    packages=find_packages(),
    install_requires=['numpy>=1.16', 'scipy'],
    extras_require={'viz': ['matplotlib']},
)
