"""Truckroll's local stack (``make run``): moto as the embedded AWS, the four apps behind one
gateway, pumps standing in for Lambda's event source mappings, a ticker, and a dev token issuer.

Development only: never packaged into a function.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # src/truckroll_local/ -> the repository
