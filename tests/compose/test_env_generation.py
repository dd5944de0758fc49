"""docker/gen-env.sh: every secret generated, fit for where it goes, never overwritten."""

from __future__ import annotations

import base64
import re
import stat

from tests.compose.conftest import ENV_EXAMPLE, env_example_names, generated_env, load_compose


def test_every_secret_is_generated_distinct_and_usable(tmp_path):
    secret_names, _ = env_example_names()
    assert {"POSTGRES_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY", "SUPERSET_SECRET_KEY"} <= secret_names
    env = generated_env(tmp_path)
    assert secret_names <= set(env)
    values = [env[name] for name in secret_names]
    assert all(values) and len(set(values)) == len(values)
    assert len(base64.urlsafe_b64decode(env["AIRFLOW_FERNET_KEY"])) == 32  # what Fernet requires
    for name in secret_names - {"AIRFLOW_FERNET_KEY"}:
        assert re.fullmatch(r"[0-9A-Za-z]{20,}", env[name]), f"{name} must be URL- and YAML-safe"
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    compose = load_compose(env)  # compose interpolates every required variable
    assert (
        env["POSTGRES_PASSWORD"] in compose["services"]["airflow-scheduler"]["environment"]["FLIGHTLAKE_WAREHOUSE_DSN"]
    )


def test_running_it_again_keeps_existing_values_and_fills_new_ones(tmp_path):
    first = generated_env(tmp_path)
    target = tmp_path / ".env"
    text = target.read_text().replace(f"SUPERSET_SECRET_KEY={first['SUPERSET_SECRET_KEY']}", "SUPERSET_SECRET_KEY=")
    target.write_text(text + "MY_OWN_SETTING=kept\n")
    second = generated_env(tmp_path)
    assert second["POSTGRES_PASSWORD"] == first["POSTGRES_PASSWORD"]
    assert second["SUPERSET_SECRET_KEY"] and second["SUPERSET_SECRET_KEY"] != first["SUPERSET_SECRET_KEY"]
    assert second["MY_OWN_SETTING"] == "kept"


def test_the_template_itself_holds_no_secret():
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and re.search(r"PASSWORD|SECRET|KEY|TOKEN", match.group(1)):
            assert match.group(2) == "", line
