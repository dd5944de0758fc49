"""Subcommands beyond the stack ones: every module in this package registers its own with
`flightlake.cli.command`, so adding a command never means editing a shared list."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
