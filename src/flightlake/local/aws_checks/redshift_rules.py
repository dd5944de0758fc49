"""The Redshift path's SQL held to Redshift's grammar, its refusals and the Data API's rules.

For each statement (`sql_sources`):
- Redshift's grammar and the committed list of what Redshift refuses although a parser (and
  PostgreSQL) accepts it (`local.emulator.redshift_refusals`, shared with the Data API stand-in);
- the Data API's rules for `:name` parameters (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html):
  values go only into queries and DML, only where a value goes (never a table or column name),
  every parameter the statement uses gets a value from its sender, and every value is a string
  that Redshift converts to the type the statement gives it: where the statement gives none
  (a parameter alone in a select list, a function's argument, two parameters compared), an
  explicit CAST must.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ParseError

from flightlake.local.aws_checks.problems import Problem
from flightlake.local.aws_checks.sql_sources import SqlStatement
from flightlake.local.emulator.redshift_refusals import findings, parse

DATA_API_DOC = "https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html"
_DML = (exp.Select, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Union, exp.Intersect, exp.Except)
_NAME_PLACES = (exp.Table, exp.TableAlias, exp.Identifier, exp.Schema, exp.DataType, exp.ColumnDef)
_TYPED_BY_OTHER_SIDE = (
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.Like,
    exp.ILike,
    exp.Between,
    exp.In,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.NullSafeEQ,
)


def check_statements(statements: list[SqlStatement]) -> list[Problem]:
    problems = []
    for statement in statements:
        problems += refused(statement)
        problems += data_api_rules(statement)
    return problems


def refused(statement: SqlStatement) -> list[Problem]:
    return [
        Problem(
            statement.file,
            statement.line_of(_first_word(found.fragment)),
            f"{found.construct}: {found.fragment}",
            found.fix,
            found.doc,
        )
        for found in findings(statement.sql)
    ]


def data_api_rules(statement: SqlStatement) -> list[Problem]:
    try:
        tree = parse(statement.sql)
    except ParseError:
        return []  # `refused` reports it
    placeholders = list(tree.find_all(exp.Placeholder))
    if not placeholders and not _raw_parameters(statement.sql):
        return []
    if not isinstance(tree, _DML):
        return [
            _problem(
                statement,
                _raw_parameters(statement.sql)[0] if _raw_parameters(statement.sql) else "",
                f"a parameter in a {type(tree).__name__.upper()} statement: the Data API binds values in "
                "queries and DML only",
                "write the value into the statement (checked and quoted, as warehouse.redshift.copy_statement does)",
            )
        ]
    problems = []
    for placeholder in placeholders:
        name = placeholder.name
        place = _value_place(placeholder)
        if isinstance(place, _NAME_PLACES):
            problems.append(
                _problem(
                    statement,
                    name,
                    f"the parameter :{name} stands for a name, not a value",
                    "parameters carry values only: write the name into the statement",
                )
            )
        elif not _type_given(placeholder):
            problems.append(
                _problem(
                    statement,
                    name,
                    f"the parameter :{name} has no type the statement gives it (the Data API sends it as a string)",
                    f"CAST(:{name} AS <its column's type>)",
                )
            )
    if statement.values is not None:
        for name in sorted({p.name for p in placeholders} - statement.values):
            problems.append(
                _problem(
                    statement,
                    name,
                    f"the parameter :{name} gets no value from its sender",
                    "give it a value (warehouse.load_script.run_parameters) or remove it",
                )
            )
    return problems


def _value_place(node: exp.Expression) -> exp.Expression | None:
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return parent


def _type_given(placeholder: exp.Placeholder) -> bool:
    """Whether the statement says which type the parameter's value is."""
    node: exp.Expression = placeholder
    parent = _value_place(node)
    if isinstance(parent, exp.Cast | exp.TryCast):
        return True
    if isinstance(parent, _TYPED_BY_OTHER_SIDE):
        others = [child for child in parent.iter_expressions() if child is not node and not _is_parameter(child)]
        return bool(others)
    if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values | exp.Insert):
        return True  # INSERT ... VALUES (also MERGE's): the target column's type
    return isinstance(parent, exp.Limit | exp.Offset)


def _is_parameter(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Placeholder)


def _raw_parameters(sql: str) -> list[str]:
    from flightlake.local.emulator.redshift_sql import used_parameters

    return sorted(used_parameters(sql))


def _problem(statement: SqlStatement, word: str, construct: str, fix: str) -> Problem:
    return Problem(statement.file, statement.line_of(f":{word}" if word else ""), construct, fix, DATA_API_DOC)


def _first_word(fragment: str) -> str:
    words = fragment.split()
    return words[0] if words else ""
