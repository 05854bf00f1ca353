from distutils.core import setup
print 'installing'
setup(install_requires=['numpy'])
