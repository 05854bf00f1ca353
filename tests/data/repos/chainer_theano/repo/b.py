import theano
import lasagne
