from .solvers import odeint
