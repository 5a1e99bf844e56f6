"""The house rules, enforced: no import cycles, no Qt in core/ or host/, no SQL or files in gui/.

Read from the source with ``ast`` (nothing is imported), so an import placed inside a
function counts like any other: a cycle cannot hide behind a lazy import. Only imports
under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "safediary"

QT_MODULES = ("PySide6", "shiboken6")
#: Modules the GUI must not use: it asks the core, which owns the database and the files.
GUI_FORBIDDEN_MODULES = ("sqlite3", "sqlcipher3", "tempfile")
#: Path/file methods that touch the disk.
FILE_METHODS = frozenset(
    {"read_text", "write_text", "read_bytes", "write_bytes", "unlink", "mkdir", "rmdir",
     "touch", "iterdir", "rglob", "glob", "rename", "chmod", "stat", "lstat", "getsize"}
)
SQL = re.compile(r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|DROP|ALTER|PRAGMA)\s")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def _type_checking_only(module: ast.Module) -> set[int]:
    """ids of the nodes under ``if TYPE_CHECKING:`` (imports for annotations only)."""
    skip: set[int] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imported(name: str) -> set[str]:
    """Every safediary module ``name`` imports when it runs, at any depth of its code."""
    known = modules()
    is_package = modules()[name].name == "__init__.py"
    found: set[str] = set()
    skip = _type_checking_only(tree(name))
    for node in ast.walk(tree(name)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    found.add(sub)
                elif target in known:
                    found.add(target)
    found.discard(name)
    return found


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = {m: sorted(imported(m)) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for m in graph:
        if m not in index:
            visit(m)
    return groups


def under(prefix: str) -> list[str]:
    return [m for m in modules() if m == prefix or m.startswith(prefix + ".")]


def external_imports(name: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return found


def test_no_import_cycles() -> None:
    assert cycles() == []


def test_no_qt_in_core_or_host() -> None:
    offenders = {
        m: sorted(i for i in external_imports(m) if i.split(".")[0] in QT_MODULES)
        for m in under("safediary.core") + under("safediary.host")
    }
    assert {m: i for m, i in offenders.items() if i} == {}


def file_or_sql_uses(name: str) -> list[str]:
    uses = [
        f"imports {i}"
        for i in external_imports(name)
        if any(i == f or i.startswith(f + ".") for f in GUI_FORBIDDEN_MODULES)
    ]
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                uses.append(f"line {node.lineno}: open()")
            elif isinstance(func, ast.Attribute) and func.attr in FILE_METHODS:
                uses.append(f"line {node.lineno}: .{func.attr}()")
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "shutil"
                and func.attr != "which"  # looking a program up on PATH is not file I/O
            ):
                uses.append(f"line {node.lineno}: shutil.{func.attr}()")
            elif (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "os"
                and func.attr in {"open", "remove", "unlink", "rename", "replace", "makedirs"}
            ):
                uses.append(f"line {node.lineno}: os.{func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(
            node.value
        ):
            uses.append(f"line {node.lineno}: SQL {node.value.split()[0]}")
    return uses


def test_gui_touches_no_sql_and_no_files() -> None:
    offenders = {m: file_or_sql_uses(m) for m in under("safediary.gui")}
    assert {m: u for m, u in offenders.items() if u} == {}


def test_at_most_eight_loose_modules_at_the_root_of_core() -> None:
    loose = [p.name for p in (PACKAGE / "core").glob("*.py") if p.name != "__init__.py"]
    assert len(loose) <= 8, loose


def test_no_module_over_700_lines() -> None:
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    long = {m: n for m, n in sizes.items() if n > 700}
    assert long == {}


def test_backup_uses_the_vaults_public_backup_source() -> None:
    """Backup gets what it needs through Vault.backup_source(), never the vault's privates."""
    private = {"_db", "_slots", "_require_master", "_master"}
    used = {
        (m, node.attr)
        for m in under("safediary.core.backup.backup")
        for node in ast.walk(tree(m))
        if isinstance(node, ast.Attribute) and node.attr in private
    }
    assert used == set()


def test_styles_live_in_the_one_stylesheet() -> None:
    """Looks come from resources/style/safediary.qss (set_role / objectName), never inline."""
    inline = [
        f"{m} line {node.lineno}"
        for m in under("safediary.gui")
        if m != "safediary.gui.style"
        for node in ast.walk(tree(m))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "setStyleSheet"
    ]
    assert inline == []
