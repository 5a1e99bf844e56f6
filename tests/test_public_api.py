"""The public API that DESIGN.md promises (a contract): names, import paths, parameters.

Renaming or moving any of these breaks the GUI, the benchmarks and people's scripts;
this test says so before anyone else finds out.
"""

from __future__ import annotations

import inspect

import pytest


def test_core_exports_the_vault_and_its_errors() -> None:
    from safediary.core import Vault, VaultCorrupted, VaultError, VaultLocked, WrongPassphrase

    for error in (WrongPassphrase, VaultCorrupted, VaultLocked):
        assert issubclass(error, VaultError)
    for name in ("create", "unlock", "unlock_with_recovery_key"):
        assert callable(getattr(Vault, name))
    for name in ("change_passphrase", "rekey", "lock", "verify", "backup"):
        assert callable(getattr(Vault, name))
    assert callable(Vault.restore)  # Vault.restore(backup_folder, target_folder)


def test_report_import_path_and_options() -> None:
    from safediary.core.report import ReportOptions, write_bundle, write_report

    assert callable(write_report) and callable(write_bundle)
    options = ReportOptions(
        include_feelings=True, include_impact=True, user_name="A. Person", exhibit_prefix=None
    )
    assert options.include_feelings and options.user_name == "A. Person"
    assert list(inspect.signature(write_report).parameters)[:3] == [
        "vault",
        "dest_path",
        "options",
    ]


@pytest.mark.parametrize(
    ("attribute", "methods"),
    [
        ("incidents", ["add", "amend", "get", "list", "search", "history"]),
        ("people", ["history"]),
        ("evidence", ["add_file", "read", "export", "verify", "describe"]),
        ("messages", ["import_export", "list", "link"]),
    ],
)
def test_vault_parts_keep_their_methods(vault, attribute: str, methods: list[str]) -> None:  # type: ignore[no-untyped-def]
    part = getattr(vault, attribute)
    for method in methods:
        assert callable(getattr(part, method)), f"vault.{attribute}.{method}"


def test_incident_add_takes_the_documented_fields(vault) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    inc = vault.incidents.add(
        occurred_at=datetime(2026, 3, 1, 20, 15, tzinfo=UTC),
        location="Outside work",
        kinds={"text_message", "threat"},
        description="He was waiting by the car.",
        feelings="Scared",
        witnesses="A colleague",
        reported_to="Police",
        police_reference="CR/123",
        private=False,
    )
    assert inc.id and inc.number == 1
    assert vault.incidents.history(inc.id)[0]


def test_evidence_add_file_signature() -> None:
    from safediary.core.evidence.evidence import EvidenceStore

    params = inspect.signature(EvidenceStore.add_file).parameters
    assert {"path", "incident_id", "progress"} <= set(params)


def test_gui_main_window_path() -> None:
    from safediary.gui.main_window import MainWindow

    assert MainWindow.__name__ == "MainWindow"


def test_command_line_entry_point() -> None:
    from safediary.app import main, parse_args

    args = parse_args(["--data-dir", "somewhere"])
    assert args.data_dir == "somewhere" and not args.self_test
    assert callable(main)


def test_main_window_widgets_keep_their_object_names(qtbot, vault) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    from safediary.gui.main_window import MainWindow

    window = MainWindow(vault)
    qtbot.addWidget(window)
    for name in (
        "quickExitButton",
        "newIncidentButton",
        "incidentTable",
        "searchField",
        "reportButton",
        "lockButton",
    ):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), f"{name} has no accessible name"
