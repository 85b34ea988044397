"""`python tools/dependency_audit.py`: check the pinned Python dependencies for known
vulnerabilities, with what this network allows (issue 9, item 13).

`pip-audit` fails here: it asks PyPI's per-version JSON API (`/pypi/<name>/<version>/json`) or
OSV (api.osv.dev), and this machine reaches neither (the per-version API answers 404, OSV does
not resolve). Two sources do work:

- PyPI's project JSON (`/pypi/<name>/json`) lists the known vulnerabilities (from OSV) of the
  *latest* release, and says whether the pinned release was yanked. So a pin that is the latest
  release is checked; an older pin is reported as "unchecked" with the newer version named.
- `--osv-dir DIR`: an OSV dump on disk (e.g. the PyPI `all.zip` from osv.dev, unzipped, brought
  in by whoever has a network), checked fully offline against every pin.

Exit status 1 if a pin is known vulnerable or yanked, 0 otherwise. `--only a,b` checks some
pins only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[re.sub(r"\[.*\]", "", match.group(1)).lower()] = match.group(2)
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def from_osv_dir(directory: Path) -> dict[str, list[tuple[str, set[str]]]]:
    """package → [(advisory id, affected versions)] from OSV JSON files."""
    index: dict[str, list[tuple[str, set[str]]]] = {}
    for file in directory.rglob("*.json"):
        advisory = json.loads(file.read_text())
        for affected in advisory.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") != "PyPI":
                continue
            versions = set(affected.get("versions", []))
            index.setdefault(canonical(package["name"]), []).append((advisory["id"], versions))
    return index


def from_pypi(name: str, version: str) -> tuple[str, str]:
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            data: dict[str, Any] = json.load(response)
    except OSError as error:
        return "unreachable", str(error)
    files = data.get("releases", {}).get(version, [])
    if files and all(f.get("yanked") for f in files):
        reason = files[0].get("yanked_reason") or "no reason given"
        return "FAIL", f"release {version} was yanked: {reason}"
    latest = data["info"]["version"]
    if version != latest:
        return "unchecked", f"not the latest ({latest}); PyPI lists vulnerabilities for the latest"
    vulnerabilities = [v["id"] for v in data.get("vulnerabilities") or []]
    if vulnerabilities:
        return "FAIL", "known: " + ", ".join(vulnerabilities)
    return "ok", "latest release, no known vulnerability"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constraints", type=Path, default=ROOT / "requirements/constraints.txt")
    parser.add_argument("--osv-dir", type=Path)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    pinned = pins(args.constraints)
    if args.only:
        wanted = {canonical(n) for n in args.only.split(",")}
        pinned = {n: v for n, v in pinned.items() if canonical(n) in wanted}
    offline = from_osv_dir(args.osv_dir) if args.osv_dir else None
    failed = False
    for name, version in sorted(pinned.items()):
        if offline is not None:
            hits = [i for i, versions in offline.get(canonical(name), []) if version in versions]
            verdict, detail = ("FAIL", "known: " + ", ".join(hits)) if hits else ("ok", "none")
        else:
            verdict, detail = from_pypi(name, version)
        failed = failed or verdict == "FAIL"
        print(f"{verdict:11} {name}=={version}  {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
