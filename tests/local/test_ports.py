"""Ports the embedded stack and the tests choose before a service binds them."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from flightlake.local.stack import processes


def ephemeral_range() -> tuple[int, int]:
    path = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if not path.exists():
        pytest.skip("no /proc/sys/net/ipv4/ip_local_port_range (not Linux)")
    low, high = (int(field) for field in path.read_text().split())
    return low, high


def test_a_chosen_port_is_never_one_the_kernel_hands_out_by_itself():
    # The kernel gives ephemeral ports to any bind(0) or connect(); a port chosen there may be
    # taken by another process before its service binds it.
    low, high = ephemeral_range()
    chosen = [processes.free_port(0) for _ in range(40)]
    assert len(set(chosen)) == len(chosen)  # never the same port twice
    assert not [port for port in chosen if low <= port <= high]
    assert all(1024 <= port < low for port in chosen)
    assert all(processes.port_is_free(port) for port in chosen)


def test_the_preferred_port_when_free_else_another():
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        held.bind(("127.0.0.1", processes.free_port(0)))
        held.listen()
        taken = held.getsockname()[1]
        other = processes.free_port(taken)
        assert other != taken and processes.port_is_free(other)
    finally:
        held.close()
    assert processes.free_port(taken) == taken  # let go of: the preferred port again


def test_unassigned_ports_lie_below_the_ephemeral_range():
    low, _ = ephemeral_range()
    first, last = processes.unassigned_ports()
    assert 1024 <= first <= last < low
