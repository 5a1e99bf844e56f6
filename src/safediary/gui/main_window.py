"""The main window: the list of incidents, search and filters, and the main actions."""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from safediary.core import Vault, VaultError
from safediary.core.diary.taxonomy import GROUPS, KINDS
from safediary.gui import widgets
from safediary.gui.diary.model import (
    IncidentTableModel,
    Query,
    evidence_counts,
    load_ids,
)
from safediary.gui.flow_layout import flow_widget
from safediary.gui.protection.quick_exit import QuickExitButton, QuickExitIndicator
from safediary.gui.settings.preferences import DISGUISE_TITLE, Preferences
from safediary.gui.widgets import PlainLabel, button
from safediary.host.paths import DataLocation


class MainWindow(QMainWindow):
    """``MainWindow(vault)``: the diary once it is unlocked."""

    lock_requested = Signal()
    quick_exit_requested = Signal()
    preferences_changed = Signal()

    def __init__(
        self,
        vault: Vault,
        parent: QWidget | None = None,
        *,
        prefs: Preferences | None = None,
        settings: Any = None,
        location: DataLocation | None = None,
    ) -> None:
        super().__init__(parent)
        self.vault = vault
        self.prefs = prefs or Preferences()
        self.settings = settings
        self.location = location  # where the diary lives (the keychain settings need it)
        self.dialogs: list[QWidget] = []
        self.setObjectName("mainWindow")
        self.setWindowTitle(DISGUISE_TITLE if self.prefs.disguise_title else "SafeDiary")
        self.resize(1180, 720)

        self.model = IncidentTableModel(self)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._action_row())
        layout.addLayout(self._filter_row())
        layout.addWidget(self._table(), 1)
        self.status_label = PlainLabel("", wrap=False)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAccessibleName("How many entries are shown")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        # Shift presses so far, at the bottom in room kept for it: showing it must not
        # make the window wider (it once jumped 140 px in the crowded top row).
        self.quick_exit_indicator = QuickExitIndicator(self)
        policy = self.quick_exit_indicator.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.quick_exit_indicator.setSizePolicy(policy)
        self.quick_exit_indicator.setFixedWidth(
            self.quick_exit_indicator.fontMetrics().horizontalAdvance(
                "●●○  Press Shift 2 more times to leave"
            )
            + 12
        )
        bottom.addWidget(self.quick_exit_indicator)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self._shortcuts()
        # Open at once even with 100,000 entries: the first screenful and the count
        # now, the full ordered list a moment later.
        self._listed_all = False
        self.refresh(first_page=True)
        self.table.viewport().installEventFilter(self)  # the rest after the first paint
        QTimer.singleShot(500, self, self._list_all)  # (or soon, if never shown)
        if self.vault.drafts.keys():
            QTimer.singleShot(0, self._offer_drafts)
        QTimer.singleShot(0, self._remind_backup)
        QTimer.singleShot(0, self._offer_recovery_key)  # shown but not yet written down
        QTimer.singleShot(0, self._show_open_warnings)  # e.g. an older diary file put back

    # -- layout -----------------------------------------------------------------
    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.new_button = button(
            "&New entry…", "newIncidentButton", "New incident", "Write down something that happened"
        )
        self.new_button.clicked.connect(lambda: self.open_editor(None))
        self.report_button = button(
            "&Report…", "reportButton", "Report", "Make a report to print or give to the police"
        )
        self.report_button.clicked.connect(self.open_report)
        self.people_button = button("&People…", "peopleButton", "People involved")
        self.people_button.clicked.connect(self.open_people)
        self.messages_button = button(
            "&Messages…",
            "messagesButton",
            "Messages",
            "Bring in WhatsApp chats, text messages, call logs and e-mails",
        )
        self.messages_button.clicked.connect(self.open_messages)
        self.checklist_button = button(
            "Safety &checklist…",
            "checklistButton",
            "Safety checklist",
            "Answer the stalking screening questions and see your earlier answers",
        )
        self.checklist_button.clicked.connect(self.open_checklist)
        self.pattern_button = button(
            "Pattern of &behaviour…",
            "patternButton",
            "Pattern of behaviour",
            "See how often it happens, when, and whether it is getting worse",
        )
        self.pattern_button.clicked.connect(self.open_pattern)
        self.help_button = button("&Help and contacts", "helpButton", "Help and contacts")
        self.help_button.clicked.connect(self.open_help)
        self.settings_button = button("&Settings…", "settingsButton", "Settings")
        self.settings_button.clicked.connect(self.open_settings)
        self.backup_button = button(
            "&Backup…", "backupButton", "Backup", "Make a backup copy of your diary, or check it"
        )
        self.backup_button.clicked.connect(self.open_backup)
        self.lock_button = button("&Lock", "lockButton", "Lock", "Lock the diary now (Ctrl+L)")
        self.lock_button.clicked.connect(self.request_lock)
        self.quick_exit_button = QuickExitButton(self, on_click=self.quick_exit_requested.emit)
        actions = [
            self.new_button,
            self.report_button,
            self.people_button,
            self.messages_button,
            self.checklist_button,
            self.pattern_button,
            self.help_button,
            self.settings_button,
            self.backup_button,
        ]
        # the actions wrap onto a second row on a small screen; Lock and Quick exit stay
        # in the top-right corner, where every window has its Quick exit
        row.addWidget(flow_widget(actions), 1, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.lock_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.quick_exit_button, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_field = QLineEdit()
        self.search_field.setObjectName("searchField")
        self.search_field.setAccessibleName("Search")
        self.search_field.setPlaceholderText("Search your diary…")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_field.returnPressed.connect(self.refresh)
        row.addWidget(self.search_field, 2)

        self.order_box = QComboBox()
        self.order_box.setObjectName("orderBox")
        self.order_box.setAccessibleName("Order")
        self.order_box.addItems(["Newest first", "Oldest first"])
        self.order_box.setCurrentIndex(0 if self.prefs.newest_first else 1)
        self.order_box.currentIndexChanged.connect(self._order_changed)
        row.addWidget(self.order_box)

        self.kind_box = QComboBox()
        self.kind_box.setObjectName("kindFilter")
        self.kind_box.setAccessibleName("Show only this kind")
        self.kind_box.addItem("All kinds", None)
        for group_id, group_label in GROUPS.items():
            self.kind_box.insertSeparator(self.kind_box.count())
            self.kind_box.addItem(f"{group_label}:", None)
            item = self.kind_box.model().item(self.kind_box.count() - 1)  # type: ignore[attr-defined]
            item.setEnabled(False)
            for kind in KINDS.values():
                if kind.group == group_id:
                    self.kind_box.addItem("    " + kind.label, kind.id)
        self.kind_box.currentIndexChanged.connect(lambda _i: self.refresh())
        row.addWidget(self.kind_box, 1)

        self.date_box = QCheckBox("Between")
        self.date_box.setObjectName("dateFilterBox")
        self.date_box.setAccessibleName("Only show entries between two dates")
        today = QDate.currentDate()
        self.from_date = QDateEdit(today.addMonths(-1))
        self.from_date.setObjectName("fromDate")
        self.from_date.setAccessibleName("From date")
        self.to_date = QDateEdit(today)
        self.to_date.setObjectName("toDate")
        self.to_date.setAccessibleName("To date")
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setEnabled(False)
            edit.dateChanged.connect(lambda _d: self.refresh())
        self.date_box.toggled.connect(self._dates_toggled)
        row.addWidget(self.date_box)
        row.addWidget(self.from_date)
        row.addWidget(PlainLabel("and", wrap=False))
        row.addWidget(self.to_date)
        self.clear_button = button("Show all", "clearFiltersButton", "Clear search and filters")
        self.clear_button.clicked.connect(self.clear_filters)
        row.addWidget(self.clear_button)
        return row

    def _table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("incidentTable")
        table.setAccessibleName("Incidents")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((48, 190, 150, 190, 330, 70, 160)):
            table.setColumnWidth(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        table.doubleClicked.connect(self._open_index)
        table.activated.connect(self._open_index)
        self.table = table
        return table

    def _shortcuts(self) -> None:
        QShortcut(QKeySequence.StandardKey.New, self).activated.connect(
            lambda: self.open_editor(None)
        )
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.focus_search)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.request_lock)
        QShortcut(QKeySequence.StandardKey.Print, self).activated.connect(self.open_report)

    # -- the list ---------------------------------------------------------------
    def query(self) -> Query:
        start = end = None
        if self.date_box.isChecked():
            start = _to_date(self.from_date.date())
            end = _to_date(self.to_date.date())
            if end < start:
                start, end = end, start
        return Query(
            text=self.search_field.text(),
            newest_first=self.order_box.currentIndex() == 0,
            start=start,
            end=end,
            kind=self.kind_box.currentData(),
        )

    def refresh(self, select_id: int | None = None, *, first_page: bool = False) -> None:
        """Reload the list for the current search and filters.

        ``first_page`` lists only the first screenful (and counts the rest) when nothing
        is filtered, so the window paints at once; a plain ``refresh`` follows.
        """
        if self.vault.is_locked:
            return
        self._search_timer.stop()
        query = self.query()
        total = self.vault.incidents.count()
        rows: int | None = None
        if first_page and not query.filtered:
            ids = self.vault.incidents.ids(
                newest_first=query.newest_first, limit=IncidentTableModel.PAGE
            )
            rows = total
        else:  # entries are decoded only as rows come into sight
            ids = load_ids(self.vault, query)
            self._listed_all = True
        self.model.set_rows(
            ids, self.vault.incidents.get_many, evidence_counts(self.vault), total=rows
        )
        if total == 0:
            text = "Nothing written down yet. Press “New entry…” to write the first one."
        elif query.filtered:
            text = f"Showing {len(ids):,} of {total:,} entries."
        else:
            text = f"{total:,} entries." if total != 1 else "1 entry."
        if query.text.strip():
            found = self.vault.messages.search_count(query.text)
            if found:
                what = "message also matches" if found == 1 else "messages also match"
                text += f"  {found:,} imported {what}: press “Messages…” to see them."
        self.status_label.setText(text)
        if select_id is not None:
            row = self.model.row_of(select_id)
            if row >= 0:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.table.viewport():
            QTimer.singleShot(0, self, self._list_all)
        return super().eventFilter(watched, event)

    def _list_all(self) -> None:
        """After the first screenful was painted: the whole ordered list (once)."""
        self.table.viewport().removeEventFilter(self)
        if not self._listed_all:
            self.refresh()

    def focus_search(self) -> None:
        self.search_field.setFocus()
        self.search_field.selectAll()

    def clear_filters(self) -> None:
        for w in (self.search_field, self.kind_box, self.date_box):
            w.blockSignals(True)
        self.search_field.clear()
        self.kind_box.setCurrentIndex(0)
        self.date_box.setChecked(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        for w in (self.search_field, self.kind_box, self.date_box):
            w.blockSignals(False)
        self.refresh()

    def _order_changed(self, index: int) -> None:
        self.prefs.newest_first = index == 0
        if self.settings is not None:
            self.settings.set_value("newest_first", self.prefs.newest_first)
        self.refresh()

    def _dates_toggled(self, on: bool) -> None:
        self.from_date.setEnabled(on)
        self.to_date.setEnabled(on)
        self.refresh()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_editor(self.model.incident_id(index.row()))

    def selected_incident_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.incident_id(rows[0].row()) if rows else None

    # -- dialogs ----------------------------------------------------------------
    def track(self, dialog: QWidget) -> QWidget:
        """Remember an open dialog so locking can close it (closed ones are let go)."""
        for d in self.dialogs:
            if _alive(d) and not d.isVisible():
                d.deleteLater()  # closed: nothing may bring it back with its old contents
        self.dialogs = [d for d in self.dialogs if _alive(d) and d.isVisible()]
        self.dialogs.append(dialog)
        return dialog

    def open_editor(self, incident_id: int | None, draft_key: str | None = None) -> QDialog:
        from safediary.gui.diary.editor import IncidentEditor

        for d in self.dialogs:
            if (
                _showing(d)  # a closed editor stays alive, hidden: open a new one instead
                and isinstance(d, IncidentEditor)
                and incident_id is not None
                and d.incident_id == incident_id
            ):
                d.raise_()
                d.activateWindow()
                return d
        editor = IncidentEditor(self.vault, incident_id, self, draft_key=draft_key)
        editor.saved.connect(lambda inc: self.refresh(select_id=inc.id))
        editor.evidence_changed.connect(lambda: self.refresh(select_id=self.selected_incident_id()))
        self.track(editor)
        editor.show()
        return editor

    def open_people(self) -> QDialog:
        from safediary.gui.diary.people import PeopleDialog

        dialog = PeopleDialog(self.vault, self)
        dialog.changed.connect(lambda: self.refresh(select_id=self.selected_incident_id()))
        self.track(dialog)
        dialog.show()
        return dialog

    def open_messages(self) -> QDialog:
        from safediary.gui.messages.window import MessagesWindow

        for d in self.dialogs:
            if _showing(d) and isinstance(d, MessagesWindow):
                d.raise_()
                d.activateWindow()
                return d
        dialog = MessagesWindow(self.vault, self)
        if self.search_field.text().strip():
            dialog.search_field.setText(self.search_field.text())
        dialog.changed.connect(lambda: self.refresh(select_id=self.selected_incident_id()))
        self.track(dialog)
        dialog.show()
        return dialog

    def open_checklist(self) -> QDialog:
        from safediary.gui.checklist.dialog import ChecklistDialog

        dialog = ChecklistDialog(self.vault, self)
        self.track(dialog)
        dialog.show()
        return dialog

    def open_pattern(self) -> QDialog:
        from safediary.gui.pattern.view import PatternView

        dialog = PatternView(self.vault, self)
        self.track(dialog)
        dialog.show()
        return dialog

    def open_help(self) -> QWidget:
        from safediary.gui.help.window import HelpWindow

        dialog = HelpWindow(self.vault, self)
        self.track(dialog)
        dialog.show()
        return dialog

    def open_settings(self) -> QDialog:
        from safediary.gui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(
            self.prefs, self, vault=self.vault, location=self.location
        )
        dialog.accepted.connect(lambda: self._apply_prefs(dialog.preferences()))
        if dialog.keys is not None:
            dialog.keys.change_passphrase_requested.connect(self.open_change_passphrase)
            dialog.keys.new_recovery_key_requested.connect(self.make_new_recovery_key)
            dialog.keys.lock_out_requested.connect(self.open_lock_out)
        self.track(dialog)
        dialog.show()
        return dialog

    def _apply_prefs(self, prefs: Preferences) -> None:
        self.prefs.__dict__.update(prefs.__dict__)
        from safediary.gui.settings.safety import save_safety

        save_safety(self.vault, self.prefs)  # the ones that protect her: encrypted
        if self.settings is not None:
            self.settings.save(self.prefs)
        self.setWindowTitle(DISGUISE_TITLE if self.prefs.disguise_title else "SafeDiary")
        self.preferences_changed.emit()

    def open_report(self) -> QWidget | None:
        if importlib.util.find_spec("safediary.gui.report.dialog") is None:
            widgets.inform(
                self,
                "Report",
                "Making a report is not available in this version yet. "
                "Everything you have written is safe in your diary.",
            )
            return None
        from safediary.gui.report.dialog import ReportDialog

        dialog = ReportDialog(self.vault, parent=self)
        self.track(dialog)
        dialog.show()
        return dialog

    def open_backup(self) -> QDialog:
        from safediary.gui.backup.dialogs import BackupDialog

        dialog = BackupDialog(self.vault, self)
        dialog.backed_up.connect(self._backed_up)
        self.track(dialog)
        dialog.show()
        return dialog

    def _backed_up(self, result: Any) -> None:
        """A backup succeeded: the "not backed up yet" banner has done its job."""
        banner = getattr(self, "backup_reminder", None)
        if getattr(result, "ok", False) and banner is not None and _alive(banner):
            banner.hide()

    def open_check(self) -> QDialog:
        from safediary.gui.backup.dialogs import VerifyDialog

        dialog = VerifyDialog(self.vault, self)
        self.track(dialog)
        dialog.show()
        dialog.start()
        return dialog

    def _remind_backup(self) -> None:
        from safediary.gui.backup.dialogs import install_reminder

        self.backup_reminder = install_reminder(self, self.prefs.backup_reminder_days)

    def _show_open_warnings(self) -> None:
        """What the vault noticed while opening (older database, quarantined files …)."""
        warnings = [] if self.vault.is_locked else list(self.vault.open_warnings)
        if not warnings:
            return
        box = QMessageBox(self)
        box.setObjectName("openWarningsBox")
        box.setWindowTitle("Something to know about your diary")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIcon(QMessageBox.Icon.Warning)
        text = "\n\n".join(warnings)
        if self.vault.database_replaced:
            text += (
                "\n\nIf you have no newer backup, you can carry on with this diary file. "
                "What was found stays written in the diary's history, and reports say so."
            )
            carry_on = box.addButton("Carry on with this file", QMessageBox.ButtonRole.AcceptRole)
            carry_on.setObjectName("carryOnButton")
            carry_on.clicked.connect(self._accept_database)
        box.addButton("Close", QMessageBox.ButtonRole.RejectRole)
        box.setText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.track(box)
        box.open()

    def _accept_database(self) -> None:
        if self.vault.is_locked:
            return
        try:
            self.vault.accept_database_as_it_is()
        except VaultError as exc:
            widgets.inform(self, "Your diary", widgets.error_text(exc), warning=True)

    # -- passphrase and recovery key (Settings, and after an interrupted first run) ----
    def _offer_recovery_key(self) -> None:
        if self.vault.is_locked:
            return
        key = self.vault.unconfirmed_recovery_key()
        if key is not None:
            self.open_recovery_key(key)

    def open_recovery_key(self, key: str, *, replaced: bool = False) -> QDialog:
        from safediary.gui.start.recovery_key import RecoveryKeyDialog

        # Kept (encrypted) until one group is typed back, whoever made it (a rekey too),
        # so a quick exit before that shows it again at the next unlock.
        if self.vault.unconfirmed_recovery_key() != key:
            self.vault.hold_recovery_key(key)
        dialog = RecoveryKeyDialog(self.vault, key, self, replaced=replaced)
        self.track(dialog)
        dialog.show()
        dialog.raise_()
        return dialog

    def open_change_passphrase(self) -> QDialog:
        from safediary.gui.start.change_passphrase import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(self.vault, self)
        self.track(dialog)
        dialog.show()
        return dialog

    def open_lock_out(self) -> QDialog:
        """New master key (vault.rekey) in a worker, then the new recovery key to write down."""
        from safediary.gui.settings.lockout import LockOutDialog

        dialog = LockOutDialog(self.vault, self)
        dialog.rekeyed.connect(lambda key: self.open_recovery_key(key, replaced=True))
        self.track(dialog)
        dialog.show()
        return dialog

    def make_new_recovery_key(self) -> QDialog | None:
        """Ask, then replace the recovery key and show the new one."""
        choice = widgets.ask(
            self,
            "Make a new recovery key?",
            "Your present recovery key will stop working, and you will be shown a new one "
            "to write down. Do this if you have lost the paper with your key, or if you "
            "think someone else has seen it.",
            ["Make a new key", "Cancel"],
        )
        if choice != "Make a new key" or self.vault.is_locked:
            return None
        try:
            key = self.vault.new_recovery_key()
        except VaultError as exc:
            widgets.inform(self, "Recovery key", widgets.error_text(exc), warning=True)
            return None
        return self.open_recovery_key(key, replaced=True)

    def _offer_drafts(self) -> None:
        if self.vault.is_locked:
            return
        for key in self.vault.drafts.keys():  # noqa: SIM118 (a method, not a dict)
            if key.startswith("incident:"):
                target = key.split(":", 1)[1]
                self.open_editor(None if target == "new" else int(target), draft_key=key)

    def close_dialogs(self) -> None:
        """Close every dialog; editors keep unsaved text as an encrypted draft first."""
        for dialog in list(self.dialogs):
            if not _alive(dialog):
                continue
            keep = getattr(dialog, "keep_draft", None)
            if callable(keep):
                keep()
            force = getattr(dialog, "force_close", None)
            if callable(force):
                force()
            else:
                dialog.close()
        self.dialogs = []

    # -- locking ------------------------------------------------------------------
    def request_lock(self) -> None:
        self.lock_requested.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.prefs.lock_on_minimise
        ):
            QTimer.singleShot(0, self.request_lock)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_dialogs()
        super().closeEvent(event)


def _to_date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


def _alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)


def _showing(widget: QWidget) -> bool:
    """Open on screen (a closed dialog may still exist, hidden)."""
    return _alive(widget) and widget.isVisible()
