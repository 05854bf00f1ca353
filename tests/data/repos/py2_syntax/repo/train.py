import cPickle
import urllib2
from StringIO import StringIO
import numpy as np

print 'hello'
try:
    pass
except Exception, e:
    print e
exec 'import fakepkg'
