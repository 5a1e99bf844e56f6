"""Start the GUI and own the one piece of state that matters: the unlocked vault."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from safediary.core import Vault
from safediary.core.fsutil import make_private_dir
from safediary.gui import window_rules
from safediary.gui.icons import app_icon
from safediary.gui.protection.quick_exit import Protection
from safediary.gui.scripts import install_fonts
from safediary.gui.settings.preferences import DISGUISE_TITLE, AppSettings, Preferences
from safediary.gui.style import apply_style
from safediary.gui.workers import runner
from safediary.host.paths import DataLocation

APP_NAME = "SafeDiary"


def keep_qt_settings_inside(location: DataLocation) -> None:
    """Point Qt's own settings (e.g. the file dialog's folder memory) into our data folder."""
    folder = str(location.root / "qt")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, folder)


class AppController(QObject):
    """Shows the first-run, unlock and main windows and owns the current Vault."""

    def __init__(self, location: DataLocation, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.location = location
        self.settings = settings or AppSettings(location.settings_file)
        self.prefs: Preferences = self.settings.load()
        from safediary.gui.settings.safety import disguise_before_unlock

        # Before unlock only the disguise matters; a tampered INI fails safe (disguised).
        plain = self.prefs.disguise_title
        self.prefs.disguise_title = disguise_before_unlock(
            self.settings.value("disguise_title", None), Vault.exists(location.vault_dir)
        )
        # assumed, not chosen: an older vault adopts the INI's plain value at unlock
        self._disguise_assumed = self.prefs.disguise_title != plain
        self.prefs.after_exit_kind = "web" if self.prefs.after_exit_kind == "web" else "nothing"
        self.vault: Vault | None = None
        self.main_window: QWidget | None = None
        self.start_window: QWidget | None = None
        self.exit_code: int | None = None
        from safediary.host import spool

        spool.configure(location.root)  # a print file left by a crash or quick exit goes now
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.protection = Protection(self, app)  # quick exit, idle and screen lock, concealment
        from safediary.gui.protection.clipboard import guard_every_copy

        guard_every_copy()  # Ctrl+C in any field: marked secret, expires, cleared on lock
        from safediary.gui.widgets import forget_file_dialog_history

        forget_file_dialog_history()  # folders an older version let the file dialog remember

    # -- windows ------------------------------------------------------------------
    @property
    def title(self) -> str:
        return DISGUISE_TITLE if self.prefs.disguise_title else APP_NAME

    def start(self) -> QWidget:
        """Show first run (no vault yet) or the unlock screen."""
        if Vault.exists(self.location.vault_dir):
            return self.show_unlock()
        from safediary.gui.start.first_run import FirstRunWindow

        window = FirstRunWindow(self.location.vault_dir)
        window.opened.connect(self.on_opened)
        window.quick_exit_requested.connect(self.quick_exit)
        return self._show_start(window)

    def show_unlock(self) -> QWidget:
        from safediary.gui.start.unlock import UnlockWindow

        window = UnlockWindow(self.location.vault_dir, title=self.title)
        window.opened.connect(self.on_opened)
        window.opened_with_recovery_key.connect(self._after_recovery)
        window.quick_exit_requested.connect(self.quick_exit)
        from safediary.gui.start.keychain import install_keychain_unlock

        install_keychain_unlock(window, self.location)  # only if remembered on this computer
        return self._show_start(window)

    def _show_start(self, window: QWidget) -> QWidget:
        old, self.start_window = self.start_window, window
        window.setWindowIcon(app_icon(self.prefs.disguise_title))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_: self._start_window_gone(window))
        window.show()
        if old is not None:
            old.close()
        window.raise_()
        window.activateWindow()
        return window

    def on_opened(self, vault: Vault) -> None:
        """A vault was created or unlocked: show the diary."""
        from safediary.gui.main_window import MainWindow

        self.vault = vault
        from safediary.gui.settings.safety import load_safety

        # the safety settings come from the encrypted vault, never from settings.ini;
        # a read-only stick keeps what we have
        with contextlib.suppress(Exception):
            load_safety(
                vault, self.prefs, ini=self.settings.load() if self._disguise_assumed else None
            )
            self._disguise_assumed = False
            self.settings.save(self.prefs)  # the INI mirrors them for the next start
        window = MainWindow(
            vault, prefs=self.prefs, settings=self.settings, location=self.location
        )
        window.setWindowIcon(app_icon(self.prefs.disguise_title))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.lock_requested.connect(self.lock)
        window.quick_exit_requested.connect(self.quick_exit)
        window.preferences_changed.connect(self._preferences_changed)
        window.destroyed.connect(self._main_window_gone)
        self.main_window = window
        window.show()
        if self.start_window is not None:
            start, self.start_window = self.start_window, None
            start.close()
        # the keyboard goes to the diary at once (Shift×3 and typing work without a click),
        # not to whatever the window manager picks when the unlock window closes
        window.raise_()
        window.activateWindow()
        self._preferences_changed()

    def _after_recovery(self, vault: Vault) -> None:
        from safediary.gui.start.change_passphrase import ChangePassphraseDialog

        QTimer.singleShot(0, lambda: self._ask_new_passphrase(ChangePassphraseDialog, vault))

    def _ask_new_passphrase(self, dialog_class: type, vault: Vault) -> None:
        if self.vault is not vault or self.main_window is None:
            return
        dialog = dialog_class(vault, self.main_window, after_recovery=True)
        self.main_window.track(dialog)  # type: ignore[attr-defined]
        dialog.show()

    def _start_window_gone(self, window: QWidget) -> None:
        # The user closed the unlock or welcome window: leave.
        if self.start_window is window:
            self.start_window = None
            if self.main_window is None:
                QApplication.quit()

    def _main_window_gone(self) -> None:
        # The user closed the main window: lock and leave.
        if self.main_window is not None:
            self.main_window = None
            self._drop_vault()
            if self.start_window is None:
                QApplication.quit()

    def _preferences_changed(self) -> None:
        self.protection.apply_preferences(self.prefs)  # idle minutes, disguise, after-exit action
        for w in (self.main_window, self.start_window):
            if w is not None:
                w.setWindowIcon(app_icon(self.prefs.disguise_title))

    # -- locking and leaving -----------------------------------------------------
    def _drop_vault(self) -> None:
        runner().wait(5000)
        vault, self.vault = self.vault, None
        if vault is not None:
            vault.lock()

    def lock(self) -> QWidget:
        """Close every dialog (keeping drafts), lock the vault, show the unlock screen."""
        if self.vault is None and self.main_window is None and self.start_window is not None:
            return self.start_window  # already locked (e.g. idle and minimise together)
        window, self.main_window = self.main_window, None
        if window is not None:
            window.close_dialogs()  # type: ignore[attr-defined]
            window.hide()
        from safediary.gui.protection.idle_lock import close_all_dialogs

        close_all_dialogs()  # message boxes, menus, anything the list above missed
        from safediary.host.sandbox import kill_all as kill_decoders

        kill_decoders()  # a file being decoded for a viewer is plaintext in another process
        from safediary.gui.protection.clipboard import clear_clipboard_if_ours

        clear_clipboard_if_ours()  # diary text copied with Ctrl+C goes with the lock
        for widget in QApplication.topLevelWidgets():
            if widget is not window and widget is not self.start_window and widget.isVisible():
                widget.close()
        self._drop_vault()
        unlock = self.show_unlock()
        if self.location.portable:  # the vault is closed and flushed: say the stick can go
            from safediary.host.isolation import SAFE_TO_REMOVE

            unlock.prompt.setText(SAFE_TO_REMOVE)  # type: ignore[attr-defined]
        if window is not None:
            window.close()
        return unlock

    def quick_exit(self) -> None:
        """Hide every window at once, lock, and quit with exit code 0."""
        self.protection.trigger()  # gui/quickexit.py: hide, clear, lock, end


def run_gui(
    location: DataLocation, on_started: Callable[[AppController], None] | None = None
) -> int:
    """Create the QApplication, show first run or unlock, and run until quit.

    ``on_started`` (if given) is called with the controller once the event loop runs:
    the public seam through which tests and benchmarks drive the real app.
    """
    keep_qt_settings_inside(location)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("")
    app.setOrganizationName("")
    app.setQuitOnLastWindowClosed(False)
    install_fonts()  # every script shows even on a host without these fonts
    window_rules.install(app)  # fits the screen, cursor in the first field, no typing trap
    make_private_dir(location.root)
    controller = AppController(location)
    controller.protection.end_process = True  # quick exit ends the process at once
    apply_style(app)
    app.setWindowIcon(app_icon(controller.prefs.disguise_title))
    app.aboutToQuit.connect(controller._drop_vault)
    controller.start()
    if on_started is not None:
        QTimer.singleShot(0, lambda: on_started(controller))
    code = app.exec()
    return controller.exit_code if controller.exit_code is not None else int(code)
