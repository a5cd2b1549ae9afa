"""The « Convocations » tab: who is convened, when and how it went out, late ones flagged,
and the second convocation when the quorum failed.

Lateness is the service's judgement (notice period from settings); the tab only colours it
and says by which day convocations should have gone out.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.formats import long_date, short_date
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import attendance, meetings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error
from ccsdesk.gui.form_parts import lay_out_form, problem_label

LATE = QColor("#fde3bf")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class SecondConvocationDialog(QDialog):
    """Date, time and venue of the second convocation; attribute ``meeting`` once made."""

    def __init__(self, folder: DataFolder, first: meetings.MeetingInfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.first = first
        self.meeting: meetings.MeetingInfo | None = None
        self.setWindowTitle(_("Second convocation"))
        explain = QLabel(_("The quorum of the {label} was not reached. A second convocation "
                           "deliberates whatever the number of members present.").format(
                               label=first.label))
        explain.setWordWrap(True)
        self.date = QDateEdit(_qdate(first.date + timedelta(days=7)))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.time = QLineEdit(first.time)
        self.venue = QLineEdit(first.venue)
        self.problem = problem_label()
        form = QFormLayout()
        form.addRow(_("Date:"), self.date)
        form.addRow(_("Time:"), self.time)
        form.addRow(_("Venue:"), self.venue)
        lay_out_form(self, form, self.problem, self._on_save, width=460, before=(explain,))

    def _on_save(self) -> None:
        try:
            self.meeting = meetings.second_convocation(
                self.folder, self.first.id, on=_pydate(self.date.date()),
                time=self.time.text(), venue=self.venue.text())
        except CcsError as error:
            self.problem.setText(error.message)
            self.problem.show()
            return
        self.accept()


class ConvocationsTab(QWidget):
    """Signal ``second_convocation_made(int)`` with the new session's id."""

    second_convocation_made = Signal(int)

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.info: meetings.MeetingInfo | None = None
        self.rows: list[meetings.ConvocationInfo] = []
        self.deadline = QLabel()
        self.deadline.setWordWrap(True)
        self.prepare_button = QPushButton(_("Prepare the convocations"))
        self.prepare_button.setObjectName("primary")
        self.prepare_button.setToolTip(_("One convocation per active member (but the president, "
                                         "who convenes) and per guest"))
        self.sent_on = QDateEdit(_qdate(date.today()))
        self.sent_on.setCalendarPopup(True)
        self.sent_on.setDisplayFormat("dd/MM/yyyy")
        self.channel = QComboBox()
        for code, label in meetings.CHANNELS.items():
            self.channel.addItem(_(label), code)
        self.sent_button = QPushButton(_("Record as sent"))
        self.sent_button.setToolTip(_("The selected convocations, or all those not sent yet "
                                      "when none is selected"))
        self.second_button = QPushButton(_("Second convocation…"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Recipient"), _("Sent on"), _("Delivery"),
                                              _("Notice")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.summary = QLabel()
        sent = QHBoxLayout()
        sent.addWidget(self.prepare_button)
        sent.addSpacing(16)
        sent.addWidget(QLabel(_("Sent on:")))
        sent.addWidget(self.sent_on)
        sent.addWidget(QLabel(_("by")))
        sent.addWidget(self.channel)
        sent.addWidget(self.sent_button)
        sent.addStretch(1)
        sent.addWidget(self.second_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.deadline)
        layout.addLayout(sent)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.prepare_button.clicked.connect(self.prepare)
        self.sent_button.clicked.connect(self.record_sent)
        self.second_button.clicked.connect(self.second_convocation)

    def load(self, info: meetings.MeetingInfo, quorum: attendance.Quorum) -> None:
        self.info = info
        days = meetings.notice_days(self.folder, info.urgent)
        last_day = meetings.send_by(info.date, days)
        self.deadline.setText(ngettext(
            "Convocations must go out by {date} at the latest ({days} clear day of notice).",
            "Convocations must go out by {date} at the latest ({days} clear days of notice).",
            days).format(date=long_date(last_day), days=days))
        self.rows = meetings.list_convocations(self.folder, info.id)
        self.table.setRowCount(len(self.rows))
        for row, convocation in enumerate(self.rows):
            channel = _(meetings.CHANNELS[convocation.channel]) if convocation.channel else ""
            cells = [convocation.recipient + ("" if convocation.member_id else
                                              " " + _("(guest)")),
                     short_date(convocation.sent_on) if convocation.sent_on else _("not sent"),
                     channel if convocation.sent_on else "",
                     _("late") if convocation.late else ""]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if convocation.late:
                    cell.setBackground(QBrush(LATE))
                    cell.setToolTip(_("Sent after {date}: less notice than the rule asks.")
                                    .format(date=long_date(last_day)))
                self.table.setItem(row, column, cell)
        late = sum(1 for c in self.rows if c.late)
        unsent = sum(1 for c in self.rows if c.sent_on is None)
        parts = [ngettext("{count} convocation", "{count} convocations", len(self.rows))
                 .format(count=len(self.rows)),
                 ngettext("{count} not sent", "{count} not sent", unsent).format(count=unsent)]
        if late:
            parts.append(ngettext("{count} late", "{count} late", late).format(count=late))
        self.summary.setText(" · ".join(parts))
        self.sent_button.setEnabled(unsent > 0 or bool(self.rows))
        can_second = (info.second_convocation_of is None and quorum.recorded
                      and not quorum.reached)
        self.second_button.setVisible(can_second)

    def _reload(self) -> None:
        from ccsdesk.core.services import attendance as attendance_service

        info = meetings.get_meeting(self.folder, self.meeting_id)
        self.load(info, attendance_service.quorum(self.folder, self.meeting_id))

    def prepare(self) -> None:
        try:
            meetings.prepare_convocations(self.folder, self.meeting_id)
        except CcsError as error:
            show_error(self, error)
        self._reload()

    def record_sent(self) -> None:
        chosen = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [self.rows[row].id for row in chosen] or None
        try:
            meetings.record_sent(self.folder, self.meeting_id, sent_on=_pydate(
                self.sent_on.date()), channel=self.channel.currentData(),
                convocation_ids=ids)
        except CcsError as error:
            show_error(self, error)
        self._reload()

    def second_convocation(self) -> None:
        if self.info is None:
            return
        dialog = SecondConvocationDialog(self.folder, self.info, self)
        if dialog.exec() and dialog.meeting is not None:
            self.second_convocation_made.emit(dialog.meeting.id)
