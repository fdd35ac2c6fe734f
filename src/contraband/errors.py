"""The exceptions contraband raises, one root, each with a code and an exit status.

ContrabandError
├── PolicyError        a policy pack that cannot be used (every problem listed)
├── InputError         a listing or verdict file that cannot be read at all
├── NotFoundError      an unknown seller, infringement, appeal or item id
├── ConflictError      an action the current state forbids (appeal twice, out of window)
├── ModelError         a category model file that is missing, corrupt or of another version
└── TransientError     the database gave up on a transaction (a deadlock, a lock timeout):
                       nothing was written, and the same call may succeed when retried
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ContrabandError(Exception):
    code = "error"
    exit_status = 2
    http_status = 500


class PolicyError(ContrabandError):
    code = "policy_invalid"
    http_status = 422

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"the policy pack has {len(self.problems)} problem(s):\n{lines}")


class InputError(ContrabandError):
    code = "input_invalid"
    http_status = 422


class NotFoundError(ContrabandError):
    code = "not_found"
    http_status = 404


class ConflictError(ContrabandError):
    code = "conflict"
    http_status = 409


class ModelError(ContrabandError):
    code = "model_invalid"
    http_status = 422


class TransientError(ContrabandError):
    code = "transient"
    exit_status = 75  # EX_TEMPFAIL: try again
    http_status = 503
