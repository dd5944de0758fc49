"""The errors flightlake reports to a person as a message, not a traceback.

Two kinds, because a scheduler must treat them differently: a `FlightlakeError` may go away on
its own (a service restarting, a network blip) and is worth a retry; a `PermanentError` will not
(a file that breaks the contract, an input that is missing), so the task fails at once and the
message says what to fix. Both the local Spark runtime and the Glue one follow this rule.
"""


class FlightlakeError(RuntimeError):
    """An expected failure whose message already says what went wrong and how to fix it."""


class PermanentError(FlightlakeError):
    """A failure that retrying cannot fix: bad or missing input. The DAG fails the task at once."""
