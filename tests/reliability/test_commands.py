"""The command cases of the corpus (`corpus.COMMAND_CASES`) through `flightlake`'s own `main`: each
gives its exit code and, on failure, one line (the whole line checked), never a traceback; and a
command outside any checkout creates nothing there.

Plus what cannot be a corpus line: a defect nobody foresaw ends in one line and a kept traceback,
and the state directory is found from a subdirectory of the checkout.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from flightlake.cli import main
from flightlake.settings import load_settings
from tests.conftest import REPO
from tests.reliability.corpus import COMMAND_CASES, CommandCase

_CLIENT_VARS = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "FLIGHTLAKE_WAREHOUSE_DSN", "FLIGHTLAKE_PROJECT_DIR")


def _param(case: CommandCase):
    marks = [pytest.mark.integration] if case.where == "stack" else []
    return pytest.param(case, id=case.kind, marks=marks)


def _where(case: CommandCase, request, folder: Path, monkeypatch) -> dict[str, str]:
    """Set the scene the case runs in; returns the values of its placeholders."""
    if case.where == "stack":
        handle = request.getfixturevalue("embedded_stack")
        return {"state": str(handle.settings.state_dir)}
    for name in _CLIENT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")  # stray credentials: never used
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    if case.where == "outside":
        monkeypatch.delenv("FLIGHTLAKE_STATE_DIR", raising=False)
        monkeypatch.chdir(folder)
        return {"state": ""}
    state = folder / "state"
    monkeypatch.setenv("FLIGHTLAKE_STATE_DIR", str(state))
    return {"state": str(state)}


@pytest.mark.parametrize("case", [_param(case) for case in COMMAND_CASES])
def test_command_case_answers_in_one_line_with_its_exit_code(case, request, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "case"
    folder.mkdir()
    for name, content in case.files:
        (folder / name).write_bytes(content)
    values = {"dir": str(folder), "checkout": str(REPO), **_where(case, request, folder, monkeypatch)}
    if case.stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(case.stdin)))
    argv = [word.format(**values) for word in case.argv]
    try:
        code = main(argv)
    except SystemExit as exited:  # argparse's own errors
        code = exited.code
    out, err = capsys.readouterr()
    assert code == case.code, (out[-2000:], err[-2000:])
    assert "Traceback" not in out + err
    if case.code == 0:
        assert case.says in out, out[-2000:]
        return
    assert err.strip().splitlines()[-1] == case.says.format(**values)
    if case.where == "outside":
        assert list(folder.iterdir()) == []  # no .flightlake, no stack


def test_a_defect_nobody_foresaw_is_one_line_and_its_traceback_is_kept(tmp_path, monkeypatch, capsys):
    from flightlake.cli import registry

    def broken(args, settings):
        return {}["no such key"]

    monkeypatch.setenv("FLIGHTLAKE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setitem(registry.COMMANDS, "status", (broken, *registry.COMMANDS["status"][1:]))
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    [line] = err.strip().splitlines()
    assert line.startswith("flightlake: unexpected KeyError: 'no such key' (a flightlake defect; the traceback is in ")
    log = Path(line.split("the traceback is in ")[1].split(":")[0])
    assert log.parent == tmp_path / "state" / "logs"
    assert "Traceback (most recent call last)" in log.read_text() and "no such key" in log.read_text()


def test_from_a_subdirectory_the_checkouts_state_directory_is_found(monkeypatch):
    monkeypatch.delenv("FLIGHTLAKE_STATE_DIR", raising=False)
    monkeypatch.delenv("FLIGHTLAKE_PROJECT_DIR", raising=False)
    monkeypatch.chdir(REPO / "src" / "flightlake" / "cli")
    settings = load_settings()
    assert (settings.state_dir, settings.state_dir_known) == (REPO / ".flightlake", True)
