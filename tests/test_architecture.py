"""The house rules a reviewer would otherwise check by eye: renderers word what the rules decided, and only cli.py
imports click."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "pipeline"
# The rule modules; a renderer may take nothing from them but enums and labels, which live in vocab.py.
RULES = {"benefits", "checks", "lights", "explain", "parameters"}


def imports(path: Path) -> set[str]:
    """Return the pipeline modules a file imports, as dotted names relative to pipeline/."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PIPELINE).parent.parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[:len(package) - node.level + 1])
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_renderer_imports_a_rule_module():
    offenders = {}
    for path in sorted((PIPELINE / "report").glob("*.py")):
        bad = {m for m in imports(path) if m.split(".")[0] in RULES}
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_templates_get_no_rule_functions():
    # Templates see the context and labels; the jinja environment's globals are the only door, and it holds no rule.
    from pipeline.report.pages import environment
    env = environment(ROOT / "templates")
    modules = {getattr(v, "__module__", None) or "" for v in [*env.globals.values(), *env.filters.values()]}
    assert not {m for m in modules if m.removeprefix("pipeline.") in RULES}


def test_only_the_command_line_imports_click():
    users = sorted(p.relative_to(PIPELINE).as_posix() for p in PIPELINE.rglob("*.py") if "click" in imports(p))
    assert users == ["cli.py"]
