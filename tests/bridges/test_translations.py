"""Every string a person reads is translated to German, the default language."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCES = ["manage.py", "bridges", "candidates", "employers", "matching", "templates", "locale"]


def test_german_catalogue_covers_every_marked_string(tmp_path):
    # makemessages runs on a copy, so that the test sees strings added since the
    # catalogue was last updated without touching the working tree.
    for name in SOURCES:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr

    catalogue = polib.pofile(str(tmp_path / "locale/de/LC_MESSAGES/django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not untranslated, f"add German translations to locale/de/LC_MESSAGES/django.po: {untranslated}"
    assert not fuzzy, f"review the fuzzy German translations: {fuzzy}"
