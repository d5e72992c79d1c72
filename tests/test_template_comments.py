"""A Django template comment `{# … #}` ends on its own line; one that runs over two lines is not
a comment but text, and shows on the page (the dashboard once printed its own note to the
reader). Longer notes go in {% comment %}."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_comment_runs_over_a_line():
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert len(templates) > 50
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert unclosed == []
