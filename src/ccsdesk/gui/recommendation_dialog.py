"""The recommendation form (new or corrected while still « proposé ») and the status dialog.

The service checks everything — a deadline before the session, an unknown theme or place —
and its refusal is shown inside the dialog, which stays open with what was typed. The theme
list is editable from the form because the themes of a commune are not known in advance.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.formats import long_date
from ccsdesk.core.i18n import _
from ccsdesk.core.services import meetings, places, recommendations
from ccsdesk.core.services.recommendations import RecommendationData, RecommendationInfo
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.form_parts import problem_label

DEFAULT_DELAY_DAYS = 90


def _short_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(72)
    return box


class RecommendationDialog(QDialog):
    """One form tied to ``meeting``; attribute ``rec_id`` once saved."""

    def __init__(self, folder: DataFolder, meeting: meetings.MeetingInfo,
                 info: RecommendationInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting = meeting
        self.rec_id = info.id if info else None
        self.setWindowTitle(_("Edit a recommendation") if info else _("New recommendation"))
        heading = QLabel(_("{label}, {date}").format(label=meeting.label,
                                                     date=long_date(meeting.date)))
        heading.setObjectName("sectionTitle")
        self.problem_text = _short_box(_("What the committee observed"))
        self.text = _short_box(_("What the committee recommends"))
        self.addressee = QLineEdit()
        self.addressee.setPlaceholderText(_("e.g. Mairie, Commissariat du 4e arrondissement"))
        self.follow_up_by = QLineEdit()
        self.follow_up_by.setPlaceholderText(_("who checks that it is done"))
        self.priority = QComboBox()
        for code, label in recommendations.PRIORITIES.items():
            self.priority.addItem(_(label), code)
        self.priority.setCurrentIndex(self.priority.findData("medium"))
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("dd/MM/yyyy")
        due = meeting.date + timedelta(days=DEFAULT_DELAY_DAYS)
        self.deadline.setDate(QDate(due.year, due.month, due.day))
        self.theme = QComboBox()
        self.add_theme_button = QPushButton(_("New theme…"))
        self.place = QLineEdit()
        self.place.setPlaceholderText(_("optional: commune, cercle… (start typing)"))
        completer = QCompleter([p.path for p in places.list_places(folder)], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.place.setCompleter(completer)
        self.agenda = QComboBox()
        self.agenda.addItem(_("— none —"), None)
        for item in meeting.agenda:
            self.agenda.addItem(f"{item.position}. {item.title}", item.position)
        self.error = problem_label()
        self._fill_themes()

        theme_row = QHBoxLayout()
        theme_row.addWidget(self.theme, 1)
        theme_row.addWidget(self.add_theme_button)
        form = QFormLayout()
        form.addRow(_("Agenda item:"), self.agenda)
        form.addRow(_("Problem observed:"), self.problem_text)
        form.addRow(_("Recommendation:"), self.text)
        form.addRow(_("Addressee:"), self.addressee)
        form.addRow(_("Followed up by:"), self.follow_up_by)
        form.addRow(_("Priority:"), self.priority)
        form.addRow(_("Deadline:"), self.deadline)
        form.addRow(_("Theme:"), theme_row)
        form.addRow(_("Place:"), self.place)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.add_theme_button.clicked.connect(self.add_theme)
        # The order the form reads, top to bottom (the widgets were made in another order).
        chain = (self.agenda, self.problem_text, self.text, self.addressee, self.follow_up_by,
                 self.priority, self.deadline, self.theme, self.add_theme_button, self.place)
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)
        if info is not None:
            self._fill(info)

    def _fill_themes(self, select: str = "") -> None:
        self.theme.clear()
        self.theme.addItem(_("— no theme —"), "")
        for theme in recommendations.list_themes(self.folder):
            self.theme.addItem(theme.label, theme.label)
        self.theme.setCurrentIndex(max(0, self.theme.findData(select)))

    def _fill(self, info: RecommendationInfo) -> None:
        self.problem_text.setPlainText(info.problem)
        self.text.setPlainText(info.text)
        self.addressee.setText(info.addressee)
        self.follow_up_by.setText(info.follow_up_by)
        self.priority.setCurrentIndex(self.priority.findData(info.priority))
        self.deadline.setDate(QDate(info.deadline.year, info.deadline.month,
                                    info.deadline.day))
        if info.theme and self.theme.findData(info.theme) < 0:
            self.theme.addItem(info.theme, info.theme)
        self.theme.setCurrentIndex(max(0, self.theme.findData(info.theme)))
        self.place.setText(info.place)
        self.agenda.setCurrentIndex(max(0, self.agenda.findData(info.agenda_position)))

    def add_theme(self) -> None:
        label, ok = QInputDialog.getText(self, _("New theme"), _("Name of the theme:"))
        if not ok:
            return
        try:
            recommendations.add_theme(self.folder, label)
        except CcsError as error:
            show_error(self, error)
            return
        self._fill_themes(" ".join(label.split()))

    def data(self) -> RecommendationData:
        value = self.deadline.date()
        return RecommendationData(
            problem=self.problem_text.toPlainText(), text=self.text.toPlainText(),
            addressee=self.addressee.text(), priority=self.priority.currentData(),
            deadline=date(value.year(), value.month(), value.day()),
            follow_up_by=self.follow_up_by.text(), theme=self.theme.currentData() or "",
            place=self.place.text(), agenda_position=self.agenda.currentData())

    def show_problem(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _on_save(self) -> None:
        try:
            if self.rec_id is None:
                self.rec_id = recommendations.add(self.folder, self.meeting.id, self.data())
            else:
                recommendations.update(self.folder, self.rec_id, self.data())
        except CcsError as error:
            self.show_problem(error.message)
            return
        self.accept()


class StatusDialog(QDialog):
    """A follow-up step: the new status and a note (date and author are recorded)."""

    def __init__(self, folder: DataFolder, info: RecommendationInfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.info = info
        self.setWindowTitle(_("Follow-up of recommendation {number}").format(
            number=info.number))
        summary = QLabel(" ".join(info.text.split())[:300])
        summary.setWordWrap(True)
        status = _(recommendations.STATUSES[info.status])
        latest = max(info.history, key=lambda step: step.at, default=None)
        if latest is not None and latest.status == info.status:
            # Who set the current status, when it came down from above.
            from ccsdesk.gui.recommendations_page import own_uid

            elsewhere = recommendations.decided_elsewhere(latest, own_uid(folder))
            if elsewhere:
                status = f"{status} — {recommendations.decided_by(elsewhere)}"
        current = QLabel(_("Current status: {status}").format(status=status))
        self.current = current
        self.status = QComboBox()
        for code, label in recommendations.STATUSES.items():
            self.status.addItem(_(label), code)
        self.status.setCurrentIndex(self.status.findData(info.status))
        self.note = _short_box(_("e.g. letter no. 12 handed to the Mairie"))
        self.error = problem_label()
        form = QFormLayout()
        form.addRow(_("New status:"), self.status)
        form.addRow(_("Note:"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(current)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(500)

    def _on_save(self) -> None:
        try:
            recommendations.set_status(self.folder, self.info.id, self.status.currentData(),
                                       self.note.toPlainText())
        except CcsError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        self.accept()
