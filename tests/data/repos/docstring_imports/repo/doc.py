"""Example:

    import fakepkg_in_docstring
    >>> import other_fake
"""
x = '''
from fake3 import y
'''
# import commented_out
import scipy
s = "import fake4"
