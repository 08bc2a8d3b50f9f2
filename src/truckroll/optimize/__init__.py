"""Route optimizer: plans technicians' days (see docs/optimizer.md and the public contract).

``solve(problem, seconds, seed)`` returns a SOLUTION dict; ``check(problem, solution)`` lists every
hard rule a solution breaks. PyVRP is imported only when a plan is actually routed.
"""

from truckroll.optimize.check import check
from truckroll.optimize.problem import ProblemError
from truckroll.optimize.solver import solve

__all__ = ["ProblemError", "check", "solve"]
