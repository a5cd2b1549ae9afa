"""The first-run wizard: set up this committee (or a demo commune) and create its keys.

Pages: welcome → level → place → name and chair → passphrase → summary → done. The demo
skips from the welcome to the passphrase. Key creation runs off the GUI thread; the last
page shows the key fingerprint that other committees will check by phone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange import keystore
from ccsdesk.core.i18n import N_, _
from ccsdesk.core.services import committee
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.place_picker import PlacePicker
from ccsdesk.gui.tasks import run_task

WELCOME, LEVEL, PLACE, NAME, PASSPHRASE, SUMMARY, DONE = range(7)
CHAIR_TITLES = (
    N_("Mayor"),
    N_("Chair of the special delegation"),
    N_("Governor"),
    N_("Prefect"),
    N_("Sub-prefect"),
    N_("Governor of the District"),
    N_("Minister"),
)
LEVEL_HINTS: dict[str, str] = {
    "commune": N_("a commune's CCS, chaired by the mayor"),
    "cercle": N_("a cercle's CCS, chaired by the prefect"),
    "district": N_("the District of Bamako's CCS"),
    "region": N_("a region's CCS, chaired by the governor"),
    "national": N_("the national council (CRSS)"),
}


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Welcome to CCS Desk"))
        self.setSubTitle(_("The secretariat of a Comité consultatif de sécurité."))
        self.real = QRadioButton(_("Set up my committee"))
        self.demo = QRadioButton(_("Try a demo commune (sample members, can be discarded)"))
        self.real.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(_(
            "This program keeps your committee's members, sessions, minutes and "
            "recommendations, and exchanges them safely with the other levels.")))
        layout.addSpacing(12)
        layout.addWidget(self.real)
        layout.addWidget(self.demo)
        layout.addStretch(1)

    def nextId(self) -> int:
        return PASSPHRASE if self.demo.isChecked() else LEVEL


class LevelPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Level of the committee"))
        self.setSubTitle(_("Where does your committee sit in the hierarchy?"))
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for code, label in committee.LEVELS.items():
            button = QRadioButton(f"{_(label).capitalize()} — {_(LEVEL_HINTS[code])}")
            button.setProperty("level", code)
            self.group.addButton(button)
            layout.addWidget(button)
            if code == "commune":
                button.setChecked(True)
        layout.addStretch(1)

    def level(self) -> str:
        return str(self.group.checkedButton().property("level"))


class PlacePage(QWizardPage):
    def __init__(self, folder: DataFolder) -> None:
        super().__init__()
        self.setTitle(_("Place"))
        self.picker = PlacePicker(folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        self.picker.changed.connect(self.completeChanged)

    def initializePage(self) -> None:
        level = self.wizard().level_page.level()
        self.setSubTitle(_("Choose the {level} your committee serves.").format(
            level=_(committee.LEVELS[level])))
        self.picker.set_kinds((committee.PLACE_KIND_OF_LEVEL[level],))

    def isComplete(self) -> bool:
        return self.picker.selected() is not None


class NamePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Name and chair"))
        self.setSubTitle(_("As they will appear on convocations and minutes."))
        self.name = QLineEdit()
        self.chair = QComboBox()
        self.chair.setEditable(True)
        self.chair.addItems([_(title) for title in CHAIR_TITLES])
        self.chair.setCurrentText("")
        self.chair.lineEdit().setPlaceholderText(_("for example: Mayor"))
        form = QFormLayout(self)
        form.addRow(_("Committee's name:"), self.name)
        form.addRow(_("Chair's title:"), self.chair)
        self.name.textChanged.connect(self.completeChanged)
        self._suggested_name = ""
        self._suggested_chair = ""

    def initializePage(self) -> None:
        """Suggest a name and a title from the place and level, keeping what was typed."""
        wizard = self.wizard()
        place = wizard.place_page.picker.selected()
        if place is not None and self.name.text() in ("", self._suggested_name):
            self._suggested_name = _("CCS of {place}").format(place=place.name)
            self.name.setText(self._suggested_name)
        level = wizard.level_page.level()
        default = {"commune": 0, "cercle": 3, "region": 2, "district": 5, "national": 6}[level]
        if self.chair.currentText() in ("", self._suggested_chair):
            self._suggested_chair = _(CHAIR_TITLES[default])
            self.chair.setCurrentText(self._suggested_chair)

    def isComplete(self) -> bool:
        return bool(self.name.text().strip())


class PassphrasePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Passphrase"))
        self.setSubTitle(_("It protects the committee's signing key. It is asked before "
                           "signing or sending; nobody can recover it if it is lost."))
        self.first = QLineEdit()
        self.second = QLineEdit()
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._on_changed)
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setObjectName("hint")
        form = QFormLayout(self)
        form.addRow(_("Passphrase:"), self.first)
        form.addRow(_("Again:"), self.second)
        form.addRow("", self.advice)
        self._on_changed()

    def problem(self) -> str:
        """What is wrong with the passphrase typed, or an empty string."""
        try:
            keystore.check_passphrase_strength(self.first.text())
        except InputError as error:
            return error.message
        if self.first.text() != self.second.text():
            return _("The two passphrases are not the same.")
        return ""

    def _on_changed(self) -> None:
        problem = self.problem()
        self.advice.setText(problem or _("Write it down and keep it in a safe place."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.problem()


class SummaryPage(QWizardPage):
    """Shows what will be created; its Next button runs the set-up off the GUI thread."""

    def __init__(self, folder: DataFolder) -> None:
        super().__init__()
        self.folder = folder
        self.setTitle(_("Summary"))
        self.setSubTitle(_("Check, then click « Create » to create the committee and its keys."))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addStretch(1)
        self.profile: committee.Profile | None = None
        self.busy = False

    def initializePage(self) -> None:
        self.setButtonText(QWizard.WizardButton.NextButton, _("Create"))
        wizard = self.wizard()
        if wizard.welcome_page.demo.isChecked():
            self.text.setText(_("A demo commune with sample members will be created. "
                                "You can try every screen; nothing is sent anywhere."))
            return
        place = wizard.place_page.picker.selected()
        lines = [
            _("Level: {value}").format(value=_(committee.LEVELS[wizard.level_page.level()])),
            _("Place: {value}").format(value=place.path or place.name if place else ""),
            _("Name: {value}").format(value=" ".join(wizard.name_page.name.text().split())),
            _("Chair's title: {value}").format(value=wizard.name_page.chair.currentText()),
            "",
            _("A signing key and an encryption key will be created and sealed with your "
              "passphrase."),
        ]
        self.text.setText("\n".join(lines))

    def validatePage(self) -> bool:
        if self.profile is not None:
            return True
        if not self.busy:
            self._start()
        return False

    def _start(self) -> None:
        wizard = self.wizard()
        passphrase = wizard.passphrase_page.first.text()
        folder = self.folder
        if wizard.welcome_page.demo.isChecked():
            def work() -> committee.Profile:
                from ccsdesk.core.services import demo

                return demo.populate(folder, passphrase)
        else:
            place = wizard.place_page.picker.selected()
            level = wizard.level_page.level()
            name = wizard.name_page.name.text()
            chair = wizard.name_page.chair.currentText()
            place_query = (place.path or place.name) if place else ""

            def work() -> committee.Profile:
                return committee.initialize(folder, level=level, name=name, place=place_query,
                                            passphrase=passphrase, chair_title=chair)
        self.busy = True
        # Closing the wizard halfway would leave keys without a committee: wait for the end.
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton):
            wizard.button(button).setEnabled(False)
        run_task(self, _("Creating the committee's keys…"), work, self._on_done, self._on_failed)

    def _on_done(self, profile: committee.Profile) -> None:
        self.busy = False
        self.profile = profile
        self.wizard().button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.wizard().next()

    def _on_failed(self, error: BaseException) -> None:
        self.busy = False
        for button in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                       QWizard.WizardButton.CancelButton):
            self.wizard().button(button).setEnabled(True)
        show_error(self, error)


class DonePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your committee is set up"))
        self.intro = _label("")
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("fingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(_label(_("Key fingerprint (other committees check it by phone "
                                  "before trusting your documents):")))
        layout.addWidget(self.fingerprint)
        layout.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.wizard().button(QWizard.WizardButton.BackButton).setEnabled(False)
        profile = self.wizard().summary_page.profile
        if profile is not None:
            self.intro.setText(_("« {name} » ({place}) is ready. Click « Finish » to open "
                                 "the main window.").format(name=profile.name,
                                                           place=profile.place))
            self.fingerprint.setText(profile.fingerprint)

    def nextId(self) -> int:
        return -1


class SetupWizard(QWizard):
    """The whole first-run set-up. Attribute ``profile`` once it has succeeded."""

    def __init__(self, folder: DataFolder) -> None:
        super().__init__()
        self.folder = folder
        self.setWindowTitle(_("CCS Desk — set-up"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.welcome_page = WelcomePage()
        self.level_page = LevelPage()
        self.place_page = PlacePage(folder)
        self.name_page = NamePage()
        self.passphrase_page = PassphrasePage()
        self.summary_page = SummaryPage(folder)
        self.done_page = DonePage()
        for page_id, page in ((WELCOME, self.welcome_page), (LEVEL, self.level_page),
                              (PLACE, self.place_page), (NAME, self.name_page),
                              (PASSPHRASE, self.passphrase_page),
                              (SUMMARY, self.summary_page), (DONE, self.done_page)):
            self.setPage(page_id, page)
        self.setStartId(WELCOME)
        self.resize(720, 520)

    def reject(self) -> None:
        """Escape or the window's close button: refused while the keys are being created."""
        if self.summary_page.busy:
            return
        super().reject()

    @property
    def profile(self) -> committee.Profile | None:
        return self.summary_page.profile
