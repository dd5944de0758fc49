"""The Dockerfiles, read as instructions (no engine here to build them): structure and hygiene."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.compose.conftest import REPO

SUPERSET_DIR = REPO / "docker" / "superset"


@dataclass
class Instruction:
    keyword: str
    args: str
    stage: int


def parse(path: Path) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped; stage = index of FROM."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        full = (pending + line).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, args.strip(), stage))
    assert not pending, f"{path}: dangling line continuation"
    return instructions


def stages(instructions: list[Instruction]) -> dict[str, int]:
    named = {}
    for ins in instructions:
        if ins.keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)$", ins.args, re.IGNORECASE)
            assert match, f"every stage is named: FROM {ins.args}"
            named[match.group(1)] = ins.stage
    return named


def final_user(instructions: list[Instruction]) -> str | None:
    last_stage = max(i.stage for i in instructions)
    users = [i.args for i in instructions if i.keyword == "USER" and i.stage == last_stage]
    return users[-1] if users else None


def run_text(instructions: list[Instruction], stage: int | None = None) -> str:
    return "\n".join(i.args for i in instructions if i.keyword == "RUN" and (stage is None or i.stage == stage))


def copy_sources(instructions: list[Instruction]) -> list[str]:
    sources = []
    for ins in instructions:
        if ins.keyword in ("COPY", "ADD") and "--from=" not in ins.args:
            words = [w for w in shlex.split(ins.args) if not w.startswith("--")]
            sources.extend(words[:-1])
    return sources


def assert_no_secrets(instructions: list[Instruction]) -> None:
    for ins in instructions:
        if ins.keyword in ("ENV", "ARG"):
            for name, _, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)(=(\S*))?", ins.args):
                if re.search(r"PASSWORD|SECRET|TOKEN|FERNET", name, re.IGNORECASE):
                    assert not value.strip("\"'"), f"{ins.keyword} {name} carries a value in the image"
        assert not re.search(r"(password|secret|token)\s*[=:]\s*\S{6,}", ins.args, re.IGNORECASE), ins.args


@pytest.fixture(scope="module")
def project() -> list[Instruction]:
    return parse(REPO / "Dockerfile")


def test_project_image_is_multi_stage_on_python_312_with_a_java_17_runtime(project):
    named = stages(project)
    assert len(named) >= 2 and {"build", "runtime"} <= set(named)
    args = {
        m.group(1): m.group(2) for i in project if i.keyword == "ARG" for m in [re.match(r"(\w+)=(\S+)", i.args)] if m
    }
    assert re.fullmatch(r"python:3\.12-slim(-bookworm)?", args["PYTHON_IMAGE"])
    assert "openjdk-17-jre-headless" in run_text(project, named["runtime-base"])
    froms = [i.args for i in project if i.keyword == "FROM"]
    assert froms[-1].endswith("AS runtime") and "runtime-base" in froms[-1]
    assert "rm -rf /var/lib/apt/lists/*" in run_text(project, named["runtime-base"])


def test_project_image_installs_the_lock_with_hashes_and_the_project_without_deps(project):
    runs = run_text(project, stages(project)["build"])
    assert re.search(r"pip install[^\n]*--require-hashes[^\n]*-r requirements/bootstrap\.txt", runs)
    assert re.search(r"uv pip install[^\n]*--require-hashes -r requirements/lock\.txt", runs)
    assert re.search(r"uv pip install[^\n]*--no-deps -e \.", runs)
    for requirement in ("requirements/lock.txt", "requirements/bootstrap.txt"):
        lines = [line for line in (REPO / requirement).read_text().splitlines() if re.match(r"^[A-Za-z0-9]", line)]
        assert lines and all("==" in line for line in lines), f"{requirement} pins every package"
        assert "--hash=sha256:" in (REPO / requirement).read_text()
    lock = (REPO / "requirements" / "lock.txt").read_text()
    for pin in ("apache-airflow==3.3.1", "pyspark==3.5.9", "moto==5.2.5"):
        assert pin in lock


def test_project_image_runs_as_a_non_root_user_with_the_s3a_jars_wired(project):
    user = final_user(project)
    assert user and user not in ("root", "0") and not user.startswith("0:")
    assert any(i.keyword == "RUN" and "useradd" in i.args and i.stage == stages(project)["runtime"] for i in project)
    env = " ".join(i.args for i in project if i.keyword == "ENV" and i.stage == stages(project)["runtime"])
    jars = re.search(r"FLIGHTLAKE_S3A_JARS=(\S+)", env).group(1).split(",")
    assert [Path(j).name for j in jars] == ["hadoop-aws.jar", "aws-java-sdk-bundle.jar"]
    assert all(j.startswith("/opt/flightlake/jars/") for j in jars)
    assert "fetch-s3a-jars.sh /opt/flightlake/jars" in run_text(project)
    assert "SPARK_HOME=/opt/venv/lib/python3.12/site-packages/pyspark" in env
    assert "PATH=/opt/venv/bin:$PATH" in env


def test_project_image_copies_only_what_exists_and_mounts_dags_and_jobs(project):
    for source in copy_sources(project):
        assert (REPO / source).exists(), f"COPY {source}: no such path in the repo"
    copied = copy_sources(project)
    assert "dags" not in copied and "spark_jobs" not in copied, "mounted by compose, not baked in"
    assert_no_secrets(project)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_context():
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {".env", ".git", ".venv", ".flightlake", "**/__pycache__"} <= ignored
    # ... but not what the Dockerfile copies.
    for source in copy_sources(parse(REPO / "Dockerfile")):
        assert source not in ignored


def test_superset_image_pins_superset_610_with_hashes_and_runs_as_non_root():
    instructions = parse(SUPERSET_DIR / "Dockerfile")
    assert len(stages(instructions)) >= 2
    assert re.search(r"pip install[^\n]*--require-hashes[^\n]*-r /tmp/requirements\.txt", run_text(instructions))
    user = final_user(instructions)
    assert user and user not in ("root", "0")
    for source in copy_sources(instructions):
        assert (SUPERSET_DIR / source).exists(), f"COPY {source}: missing in docker/superset"
    assert_no_secrets(instructions)
    requirements = (SUPERSET_DIR / "requirements.txt").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", requirements, re.MULTILINE))
    assert pins["apache-superset"] == "6.1.0" and pins["psycopg2-binary"]
    assert requirements.count("--hash=sha256:") >= len(pins)
    # Superset's own pins (base-constraints.txt) are the ones used, package by package.
    constraints = dict(
        re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", (SUPERSET_DIR / "base-constraints.txt").read_text(), re.M)
    )
    assert len(constraints) > 100
    differing = {name for name, version in constraints.items() if pins.get(name) not in (None, version)}
    assert differing == set()


def test_the_parser_notices_a_root_image(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-slim AS build\nRUN echo \\\n  hi\nFROM build AS runtime\nUSER root\n")
    instructions = parse(dockerfile)
    assert [i.keyword for i in instructions] == ["FROM", "RUN", "FROM", "USER"]
    assert instructions[1].args == "echo hi" and final_user(instructions) == "root"
    dockerfile.write_text("FROM python:3.12-slim AS a\nENV DB_PASSWORD=hunter2hunter2\n")
    with pytest.raises(AssertionError):
        assert_no_secrets(parse(dockerfile))
