import Queue
import ConfigParser
import theano
