import some_unknown_pkg
import utils
from lib.thing import x
import vendored
