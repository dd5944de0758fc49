"""Facts written once: each has one home, and a second copy in the code fails here.

The step list, the DAG id, lake addresses and table names each live in one module; the pictures
of the flow in the docs are held to the step registry, and the docs' module paths to the tree.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flightlake.lake.tables import CATALOG_TABLES
from flightlake.pipeline.registry import DAG_ID, STEPS, Engine, spark_steps
from flightlake.warehouse.columns import RUNS_TABLE, TABLE
from tests.conftest import REPO

PACKAGE = REPO / "src" / "flightlake"
CODE_DIRS = ("src", "dags", "spark_jobs", "bench", "scripts")
# The packages whose code runs on AWS: lake addresses there come from lake/tables.py only.
PIPELINE_SIDE = ("pipeline", "spark", "lake", "warehouse", "reporting", "anomalies", "settings")
STEP_NAMES = {step.name for step in STEPS}


def python_files(*roots: Path) -> Iterator[Path]:
    for root in roots:
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            if ".venv" not in path.parts and "egg-info" not in str(path):
                yield path


def code_constants(path: Path) -> Iterator[tuple[int, str]]:
    """String constants of a module's code (docstrings left out: they describe, they do not decide)."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def test_the_dag_id_is_written_once():
    found = [
        f"{relative(path)}:{line}"
        for path in python_files(*(REPO / d for d in CODE_DIRS))
        for line, text in code_constants(path)
        if text == DAG_ID
    ]
    assert found == ["src/flightlake/pipeline/registry.py:47"]


def test_table_names_live_with_their_definitions():
    homes = {"src/flightlake/lake/tables.py", "src/flightlake/warehouse/columns.py"}
    names = {table.name for table in CATALOG_TABLES if table.name != "flights"} | {TABLE, RUNS_TABLE}
    pattern = re.compile(r"\b(" + "|".join(re.escape(name) for name in sorted(names)) + r")\b")
    found = [
        f"{relative(path)}:{line}: {pattern.search(text).group(0)}"
        for path in python_files(*(REPO / d for d in CODE_DIRS))
        if relative(path) not in homes
        for line, text in code_constants(path)
        if pattern.search(text)
    ]
    assert found == []


def test_lake_addresses_are_built_in_lake_tables_only():
    """No hand-made `s3://` or `s3a://` address in the code that runs on AWS (a validation pattern
    handed to `re.compile` is not an address)."""
    found = []
    for path in python_files(*(PACKAGE / name for name in PIPELINE_SIDE), REPO / "dags", REPO / "spark_jobs"):
        if relative(path) == "src/flightlake/lake/tables.py":
            continue
        tree = ast.parse(path.read_text())
        patterns = {
            id(arg)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile"
            for arg in node.args
        }
        for node in ast.walk(tree):
            text = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
            if id(node) in patterns or not isinstance(text, ast.Constant) or not isinstance(text.value, str):
                continue
            if isinstance(node, ast.JoinedStr | ast.Constant) and re.match(r"s3a?://", text.value):
                found.append(f"{relative(path)}:{node.lineno}")
    assert found == []


def test_the_steps_are_listed_once():
    """No list, tuple or set of step names in the code but the registry's own declarations."""
    found = []
    for path in python_files(*(REPO / d for d in CODE_DIRS)):
        if relative(path) == "src/flightlake/pipeline/registry.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.List | ast.Tuple | ast.Set):
                named = {e.value for e in node.elts if isinstance(e, ast.Constant)} & STEP_NAMES
                if len(named) >= 2:
                    found.append(f"{relative(path)}:{node.lineno}: {sorted(named)}")
    assert found == []


def test_the_registry_is_consistent():
    names = [step.name for step in STEPS]
    assert len(set(names)) == len(names)
    position = {name: index for index, name in enumerate(names)}
    for step in STEPS:
        assert all(position[before] < position[step.name] for before in step.after), step.name
    for step in STEPS:  # whatever a step reads that another step writes, that step comes first
        upstream = _upstream(step.name)
        for reader_input in step.reads:
            for writer in STEPS:
                if writer.name != step.name and reader_input in writer.writes:
                    assert writer.name in upstream, (step.name, writer.name)
    assert [s.name for s in spark_steps()] == ["raw_to_stage", "stage_to_analytics"]
    assert all(s.engine is Engine.SPARK and s.writes for s in spark_steps())  # an outcome needs a table to sit by


def _upstream(name: str) -> set[str]:
    step = next(s for s in STEPS if s.name == name)
    found = set(step.after)
    for before in step.after:
        found |= _upstream(before)
    return found


def test_importing_the_registry_loads_no_engine():
    """The DAG imports every step through the registry when it parses: nothing heavy may come with it."""
    probe = "import sys, flightlake.pipeline.registry; print(sorted(set(sys.modules) & {MODULES}))"
    heavy = {"pyspark", "pandas", "numpy", "matplotlib", "sklearn", "boto3", "pyarrow", "psycopg", "airflow"}
    result = subprocess.run(
        [sys.executable, "-c", probe.replace("{MODULES}", repr(heavy))], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def flow_pictures(text: str) -> list[dict[str, int]]:
    """Each fenced picture of a document that draws the flow: step name -> the column it is drawn
    at (a flow is drawn left to right, so what comes after a step stands to its right)."""
    pictures = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M):
        columns: dict[str, int] = {}
        for line in block.splitlines():
            for match in re.finditer(r"\b[a-z_]+\b", line):
                if match.group(0) in STEP_NAMES:
                    columns.setdefault(match.group(0), match.start())
        if len(columns) >= 3:
            pictures.append(columns)
    return pictures


@pytest.mark.parametrize("document", ["README.md", "docs/ARCHITECTURE.md", "docs/pipeline.md"])
def test_the_pictures_of_the_flow_draw_the_registry(document):
    pictures = flow_pictures((REPO / document).read_text())
    assert pictures, f"{document} draws no flow"
    for columns in pictures:
        assert set(columns) == STEP_NAMES, sorted(columns)
        for step in STEPS:
            for before in step.after:
                assert columns[before] < columns[step.name], f"{step.name} is drawn left of {before}"


def test_every_module_path_the_architecture_names_exists():
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]+(?:\.py)?)`", text))
    missing = []
    for name in sorted(named):
        candidates = [REPO / name, PACKAGE / name, REPO / "src" / name]
        if not any(c.exists() or c.with_suffix(".py").exists() for c in candidates):
            missing.append(name)
    assert len(named) > 20 and missing == []


def test_each_package_docstring_names_its_modules():
    problems = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        modules = {p.stem for p in init.parent.glob("*.py") if p.stem != "__init__"}
        modules |= {p.name for p in init.parent.iterdir() if (p / "__init__.py").exists()}
        unnamed = sorted(m for m in modules if not re.search(rf"\b{re.escape(m)}\b", doc))
        if unnamed:
            problems.append(f"{relative(init)} leaves out {', '.join(unnamed)}")
    assert problems == []


def test_the_configuration_reference_is_the_settings_table():
    import flightlake.settings

    table = [line for line in (flightlake.settings.__doc__ or "").splitlines() if line.startswith("|")]
    documented = [
        line for line in (REPO / "docs" / "configuration.md").read_text().splitlines() if line.startswith("|")
    ]
    assert len(table) > 20 and documented == table
