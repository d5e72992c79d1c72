"""docs/security.md maps each 等保 clause to the tests that prove it: every file and test it
names must exist, or the map would promise what nothing checks."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`(test_[a-z0-9_]+\.py)(?:::([A-Za-z0-9_]+)(?:::([a-z0-9_]+))?)?")


def _names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def test_every_test_the_security_map_names_exists():
    text = (ROOT / "docs" / "security.md").read_text()
    references = REFERENCE.findall(text)
    assert len(references) > 40
    missing = []
    for file, name, method in references:
        path = ROOT / "tests" / file
        if not path.exists():
            missing.append(file)
            continue
        names = _names(path)
        missing += [f"{file}::{n}" for n in (name, method) if n and n not in names]
    assert missing == []
