"""The offline dependency audit (tools/dependency_audit.py) finds a pinned, known-vulnerable
version in an OSV dump on disk, and passes a clean one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "dependency_audit.py"


def run(tmp_path: Path, pinned: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "constraints.txt").write_text(f"{pinned}\nother==1.0\n")
    osv = tmp_path / "osv"
    osv.mkdir(exist_ok=True)
    advisory = {
        "id": "PYSEC-0000-1",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Some_Lib"}, "versions": ["1.2"]}],
    }
    (osv / "PYSEC-0000-1.json").write_text(json.dumps(advisory))
    command = [sys.executable, str(TOOL), "--constraints", str(tmp_path / "constraints.txt")]
    return subprocess.run(
        [*command, "--osv-dir", str(osv)], capture_output=True, text=True, check=False
    )


def test_a_vulnerable_pin_fails(tmp_path: Path) -> None:
    result = run(tmp_path, "some-lib==1.2")
    assert result.returncode == 1 and "PYSEC-0000-1" in result.stdout


def test_a_clean_pin_passes(tmp_path: Path) -> None:
    result = run(tmp_path, "some-lib==1.3")
    assert result.returncode == 0 and "FAIL" not in result.stdout
