"""The files a newcomer reads and runs first: README links, `make run PORT=…`, the Procfile."""

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import _database_url

BASE_DIR = Path(__file__).resolve().parents[2]
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _local_links(markdown: Path) -> list[str]:
    return [link for link in MARKDOWN_LINK.findall(markdown.read_text()) if "://" not in link]


@pytest.mark.parametrize(
    "document", ["README.md", "docs/architecture.md", "matching/README.md", "benchmarks/README.md"]
)
def test_documents_link_only_to_files_in_the_repository(document):
    path = BASE_DIR / document
    links = _local_links(path)
    outside = [link for link in links if not (path.parent / link).resolve().is_relative_to(BASE_DIR)]
    missing = [link for link in links if not (path.parent / link).exists()]

    assert not outside, f"{document} links outside the repository (a clone has only the repository): {outside}"
    assert not missing, f"{document} links to files that do not exist: {missing}"


def test_readme_names_no_path_outside_the_repository():
    assert "../shared" not in (BASE_DIR / "README.md").read_text()


def test_readme_links_the_architecture_document():
    assert "docs/architecture.md" in _local_links(BASE_DIR / "README.md")


def test_make_run_serves_on_the_port_it_is_given():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8765"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=True
    )

    assert "runserver 127.0.0.1:8765" in result.stdout


def test_make_run_serves_on_8000_by_default():
    env = {key: value for key, value in os.environ.items() if key != "PORT"}
    result = subprocess.run(["make", "-n", "run"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60, env=env)

    assert "runserver 127.0.0.1:8000" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.django_db
def test_procfile_web_process_is_gunicorn_and_serves_pages():
    procfile = dict(line.split(":", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if ":" in line)
    web = procfile["web"].strip()
    assert "gunicorn bridges.wsgi" in web, "the web process runs gunicorn; the development server stays in make run"

    port = _free_port()
    env = {**os.environ, "PORT": str(port), "DEBUG": "true", "DATABASE_URL": _database_url(connection.settings_dict)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        ["bash", "-c", f"exec {web}"], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                status, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        css_status, _css = _get(f"http://127.0.0.1:{port}/static/css/bridges.css")
    finally:
        process.terminate()
        process.wait(timeout=20)

    assert status == 200
    assert b"<form" in body
    assert css_status == 200
