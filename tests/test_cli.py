"""The `convener` console command, run as a user would."""

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "convener"


def run(*args, env=None):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"CONVENER_DEBUG": "1", **(env or {})})
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, env=environment, timeout=120
    )


def test_convener_help_lists_django_and_convener_subcommands():
    out = run("--help").stdout
    for name in ("migrate", "runserver", "check", "demo", "serve", "synth"):
        assert name in out


def test_an_unknown_configuration_variable_is_an_error():
    result = run("check", env={"CONVENER_DATABSE_URL": "sqlite:///x"})
    assert result.returncode != 0
    assert "CONVENER_DATABSE_URL" in result.stderr


def test_without_debug_a_secret_key_is_required():
    result = run("check", env={"CONVENER_DEBUG": "0"})
    assert result.returncode != 0 and "CONVENER_SECRET_KEY" in result.stderr


def test_the_deploy_check_passes_with_debug_off():
    result = run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "CONVENER_DEBUG": "0",
            "CONVENER_SECRET_KEY": "k" * 60 + "-Production-Key-123",
            "CONVENER_ALLOWED_HOSTS": "convener.example.org",
            "CONVENER_DEMOGRAPHICS_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        },
    )
    assert result.returncode == 0, result.stderr
