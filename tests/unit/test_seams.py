"""The package's narrow seams (issue 22, part 4): the control panel and the exporters use
the grid's public surface and what the grid hands them, no private name of another
module; the exporters import each other one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import digitheat_widget

PACKAGE = Path(digitheat_widget.__file__).parent


def _source(relative: str) -> str:
    return (PACKAGE / relative).read_text(encoding="utf-8")


def _imports(relative: str) -> set[str]:
    """Modules of digitheat_widget.export that ``relative`` imports, anywhere in it
    (imports inside functions count: they are a dependency all the same)."""
    found = set()
    for node in ast.walk(ast.parse(_source(relative))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import name
                found.add("__init__")
    return found


def test_the_control_panel_calls_nothing_private_of_the_grid():
    text = _source("controls.py")
    assert not re.findall(r"\bgrid\._[a-z]\w*", text)
    assert not re.findall(r"self\._grid\._[a-z]\w*", text)


def test_the_exporters_read_no_private_state_of_the_grid():
    for path in (PACKAGE / "export").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.findall(r"[\"']_(view|controls)[\"']|\._(view|controls)\b", text), path.name


def test_saved_state_imports_no_private_name_of_html():
    tree = ast.parse(_source("export/saved_state.py"))
    private = [alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names if alias.name.startswith("_")]
    assert private == []


def test_html_and_the_export_package_do_not_import_each_other():
    assert "__init__" not in _imports("export/html.py")
    # and html's helpers are below both: the package may import html, not the reverse
    assert "html" not in _imports("export/files.py")


def test_one_way_to_ask_whether_the_view_is_there():
    for name in ("grid.py", "pages.py", "export/__init__.py"):
        text = _source(name)
        assert '"_view" in self.__dict__' not in text and '__dict__.get("_view")' not in text
        assert 'getattr(self, "_view"' not in text, name
