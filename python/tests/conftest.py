"""Shared helpers: the CLI binary the module is compared with, and a run of it."""
import json
import os
import subprocess

import pytest

BINARY = os.environ.get("ACCELDSE_BINARY", "build/acceldse")
SOURCE_DIR = os.environ.get("ACCELDSE_SOURCE_DIR", ".")


def cli(*args, check=True):
    """Runs the acceldse program; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=240)
    if check and p.returncode != 0:
        raise AssertionError(f"acceldse {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    return json.loads(cli(*args, "--format", "json")[1])


@pytest.fixture
def source_dir():
    return SOURCE_DIR
