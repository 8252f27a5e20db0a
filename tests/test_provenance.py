"""``riskmodel.provenance.source_commit``: the commit a generated table names."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from riskmodel.provenance import source_commit


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_source_commit_names_the_head_and_marks_uncommitted_changes(tmp_path: Path) -> None:
    assert source_commit(tmp_path) == "unknown"  # not a checkout

    def git(*args: str) -> str:
        command = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
        return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    assert source_commit(tmp_path) == "unknown"  # no commit yet
    (tmp_path / "a.txt").write_text("one\n", encoding="utf-8")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    head = git("rev-parse", "--short", "HEAD").strip()
    assert source_commit(tmp_path) == head
    (tmp_path / "a.txt").write_text("two\n", encoding="utf-8")
    assert source_commit(tmp_path) == head + "+"
