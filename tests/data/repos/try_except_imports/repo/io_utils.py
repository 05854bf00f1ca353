try:
    import ujson as json
except ImportError:
    import json
try: import cPickle as pickle
except ImportError: import pickle
if True: import tqdm
