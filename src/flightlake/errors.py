"""The base of errors flightlake reports to a user as a message, not a traceback."""


class FlightlakeError(RuntimeError):
    """An expected failure whose message already says what went wrong and how to fix it."""
