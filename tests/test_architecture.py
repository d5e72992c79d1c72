"""The dependency direction of DESIGN §2: imports only go down the app table."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "enterprises", "arrears", "notices", "enforcement", "reports"]


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_apps_import_only_apps_below_them():
    violations = []
    for rank, app in enumerate(ORDER):
        above = set(ORDER[rank + 1 :])
        for path in (ROOT / app).rglob("*.py"):
            violations += [
                f"{path.relative_to(ROOT)} imports {m}" for m in _imports(path) if m in above
            ]
    assert violations == []


def test_no_business_logic_hides_in_signals():
    offenders = []
    for app in ORDER:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if re.search(r"@receiver\(|\.connect\(", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_templates_load_nothing_from_outside():
    external = re.compile(r"""(src|href)\s*=\s*["']\s*(https?:)?//""", re.IGNORECASE)
    url_in_css = re.compile(r"url\(\s*['\"]?(https?:)?//", re.IGNORECASE)
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "static").rglob("*.css")):
        text = path.read_text(errors="ignore")
        if external.search(text) or url_in_css.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_vendored_assets_are_listed_with_versions_and_licences():
    listing = (ROOT / "static/vendor/VERSIONS.md").read_text()
    for folder in (ROOT / "static/vendor").iterdir():
        if folder.is_dir():
            assert f"`{folder.name}/LICENSE`" in listing, folder.name
            assert (folder / "LICENSE").exists()
