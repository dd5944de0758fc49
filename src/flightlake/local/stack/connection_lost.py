"""When a command loses the embedded stack halfway (`flightlake down` in another terminal, the
emulator or PostgreSQL killed), one line that says so and what to do, instead of the traceback of
whichever client noticed first: botocore, pyarrow's S3 filesystem, psycopg.

What a lost connection leaves behind is each command's own business (an upload is all or
nothing, a query writes nothing), so the command says what to run again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flightlake.local.stack.service import StackError
from flightlake.settings import Settings

# How the clients that reach the stack word a refused or dropped connection when they give only
# text: pyarrow's S3 filesystem (libcurl), DuckDB passing it on, psycopg.
_LOST_WORDS = (
    "NETWORK_CONNECTION",
    "Couldn't connect to server",
    "Connection refused",
    "Could not connect to the endpoint URL",
    "server closed the connection unexpectedly",
)


def connection_lost(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, is a refused or dropped connection."""
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, BotoConnectionError | HTTPClientError | ConnectionRefusedError):
            return True
        if any(words in str(current) for words in _LOST_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def stack_lost(settings: Settings, again: str) -> Iterator[None]:
    """Inside, a lost connection to the stack becomes a StackError naming the services that are
    down, with `flightlake up` and then `again` (what to run once the stack is back)."""
    try:
        yield
    except Exception as error:
        if isinstance(error, StackError) or not connection_lost(error):
            raise
        raise stack_stopped(settings, again) from error


def stack_stopped(settings: Settings, again: str) -> StackError:
    """What to say once a connection to the stack was lost: stopped, or a moment's blip."""
    from flightlake.local.stack.manager import Stack

    down = Stack(settings).down_services()
    if not down:
        return StackError(f"lost the connection to the embedded stack for a moment; it answers again now. Fix: {again}")
    return StackError(f"the stack was stopped ({' and '.join(down)} not running): run `flightlake up`, then {again}")
