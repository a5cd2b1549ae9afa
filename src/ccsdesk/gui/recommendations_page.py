"""The Recommandations page: the follow-up view over every form, its filters, the status
change and the history of the selected recommendation.

The filters are applied by the service in SQL (overdue first, then by deadline), which
takes well under 100 ms over 10 000 forms; the addressee box waits for a pause in typing
before asking, so typing a name does not re-read the list at every key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.formats import long_date, number, short_date, time_of_day
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import meetings, recommendations, settings
from ccsdesk.core.services.recommendations import RecommendationInfo
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.recommendations_model import REC_ROLE, RecommendationsModel

Notify = Callable[[str, Callable[[], None] | None], None]
FILTER_DELAY_MS = 300
# The columns a person may hide or show from the header's menu (hidden at first: the panel
# beside the table shows them for the selected form), and where that choice is kept.
SECONDARY_COLUMNS = ("theme", "priority", "meeting")
COLUMNS_SETTING = "gui.follow_up.columns"
# Widest a column sized to its content may grow; the recommendation's text takes the rest.
MAX_WIDTHS = {"addressee": 170, "theme": 150, "meeting": 190}
TEXT_MIN_WIDTH = 160
ROW_LINES = 2


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))


def own_uid(folder: DataFolder) -> str:
    """This committee's uid: histories name a step's decider only when it is another one."""
    from ccsdesk.core.services import committee

    found = committee.profile(folder)
    return found.uid if found else ""


def details_html(info: RecommendationInfo, own: str = "") -> str:
    """The selected form and its status history (oldest step first), as simple HTML; a step
    decided by another committee than ``own`` (one that came down from above) names it."""
    rows = [
        (_("Session"), info.meeting + (f" ({long_date(info.meeting_date)})"
                                       if info.meeting_date else "")),
        (_("Problem observed"), info.problem),
        (_("Recommendation"), info.text),
        (_("Addressee"), info.addressee),
        (_("Followed up by"), info.follow_up_by or "—"),
        (_("Priority"), _(recommendations.PRIORITIES.get(info.priority, info.priority))),
        (_("Deadline"), long_date(info.deadline)
         + (" — " + _("overdue") if info.overdue else "")),
        (_("Theme"), info.theme or "—"),
        (_("Place"), info.place or "—"),
    ]
    heading = _("Recommendation {number}").format(number=info.number)
    html = [f"<h3>{_escape(heading)}</h3>", "<table cellspacing='0' cellpadding='3'>"]
    for title, value in rows:
        html.append(f"<tr><td valign='top'><b>{_escape(title)}</b></td>"
                    f"<td>{_escape(value)}</td></tr>")
    html.append("</table>")
    history = _("Status history")
    html.append(f"<h4>{_escape(history)}</h4><ul>")
    for step in info.history:
        when = _("{date} at {time}").format(date=short_date(step.at.date()),
                                           time=time_of_day(step.at))
        line = f"<b>{_escape(_(recommendations.STATUSES.get(step.status, step.status)))}</b>"
        line += f" — {_escape(when)} — {_escape(step.author)}"
        elsewhere = recommendations.decided_elsewhere(step, own)
        if elsewhere:
            line += f" — {_escape(recommendations.decided_by(elsewhere))}"
        if step.note:
            line += f"<br><i>{_escape(step.note)}</i>"
        html.append(f"<li>{line}</li>")
    html.append("</ul>")
    return "".join(html)


class RecommendationsPage(QWidget):
    """Attributes ``model``, ``table``, ``details``, ``new_button``; ``ask_session`` (the
    session picker, replaceable); signal ``open_meeting(int)``."""

    open_meeting = Signal(int)

    def __init__(self, folder: DataFolder, notify: Notify | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.notify: Notify = notify or (lambda _message, _undo: None)
        self.model = RecommendationsModel()
        title = QLabel(_("Follow-up of recommendations"))
        title.setObjectName("pageTitle")
        self.new_button = QPushButton(_("New recommendation…"))
        self.new_button.setToolTip(_("Record a recommendation made at a session (Ctrl+N)"))
        self.ask_session: Callable[[list[meetings.MeetingInfo], int],
                                   meetings.MeetingInfo | None] = self._pick_session
        self.status = QComboBox()
        self.status.addItem(_("All statuses"), None)
        for code, label in recommendations.STATUSES.items():
            self.status.addItem(_(label), code)
        self.addressee = QLineEdit()
        self.addressee.setPlaceholderText(_("Addressee contains…"))
        self.addressee.setClearButtonEnabled(True)
        self.addressee.setMinimumWidth(200)
        self.theme = QComboBox()
        self.summary = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Fixed row heights, two lines each: Qt need not measure 10 000 rows, and the
        # recommendation's text wraps on a second line before it is elided (full in tooltip).
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            ROW_LINES * self.table.fontMetrics().lineSpacing() + 10)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.column_of("text"), QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_columns_menu)
        header.setToolTip(_("Right-click to show or hide the theme, priority and session "
                            "columns."))
        self._apply_shown_columns(self._stored_columns())
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.status_button = QPushButton(_("Change the status…"))
        self.status_button.setObjectName("primary")
        self.session_button = QPushButton(_("Open the session"))
        self.empty_details = _("Select a recommendation to see its form and its history.")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self.reload)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("Status:")))
        filters.addWidget(self.status)
        filters.addWidget(QLabel(_("Addressee:")))
        filters.addWidget(self.addressee, 1)
        filters.addWidget(QLabel(_("Theme:")))
        filters.addWidget(self.theme)
        legend = QLabel(_("Red: overdue · orange: due within two weeks"))
        legend.setObjectName("hint")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary)
        bottom.addStretch(1)
        bottom.addWidget(legend)
        left_layout.addLayout(bottom)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_button)
        buttons.addWidget(self.session_button)
        buttons.addStretch(1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.details, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 420])
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(splitter, 1)

        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.theme.currentIndexChanged.connect(lambda _i: self.reload())
        self.addressee.textChanged.connect(lambda _t: self._timer.start())
        self.addressee.returnPressed.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.table.doubleClicked.connect(lambda _index: self.change_status())
        self.status_button.clicked.connect(self.change_status)
        self.session_button.clicked.connect(self._open_session)
        self.new_button.clicked.connect(self.new_recommendation)
        self.setTabOrder(self.status, self.addressee)
        self.setTabOrder(self.addressee, self.theme)
        self.setTabOrder(self.theme, self.table)
        self.setTabOrder(self.table, self.status_button)
        self.reload_themes()
        self.reload()
        self._size_columns()  # now that the themes and the forms are known

    # -- columns -------------------------------------------------------------------------

    def column_of(self, code: str) -> int:
        return [c for c, _label in self.model.columns].index(code)

    def _stored_columns(self) -> list[str]:
        """The secondary columns the person chose to see; none if the setting is odd."""
        value = settings.get(self.folder, COLUMNS_SETTING)
        if not isinstance(value, list):
            return []
        return [code for code in SECONDARY_COLUMNS if code in value]

    def shown_columns(self) -> list[str]:
        return [code for code in SECONDARY_COLUMNS
                if not self.table.isColumnHidden(self.column_of(code))]

    def _apply_shown_columns(self, shown: list[str]) -> None:
        for code in SECONDARY_COLUMNS:
            self.table.setColumnHidden(self.column_of(code), code not in shown)
        self._size_columns()

    def _size_columns(self) -> None:
        """Short columns as wide as their longest possible value (measured on the few
        labels, not on 10 000 rows); the text column stretches over what is left."""
        cells = self.table.fontMetrics()
        heads = self.table.horizontalHeader().fontMetrics()
        values: dict[str, list[str]] = {
            "number": ["999"],
            "deadline": [short_date(date(2026, 12, 28))],
            "status": [_(label) for label in recommendations.STATUSES.values()],
            "priority": [_(label) for label in recommendations.PRIORITIES.values()],
            "theme": [self.theme.itemText(i) for i in range(1, self.theme.count())],
            "addressee": [info.addressee for info in self.model.rows[:500]],
            "meeting": [info.meeting for info in self.model.rows[:500]],
        }
        for column, (code, label) in enumerate(self.model.columns):
            if code == "text":
                continue
            widest = max([heads.horizontalAdvance(_(label)) + 12]
                         + [cells.horizontalAdvance(v) for v in values.get(code, [])])
            self.table.setColumnWidth(column, min(widest + 14, MAX_WIDTHS.get(code, 10_000)))

    def show_columns_menu(self, position: QPoint) -> None:
        """The header's menu (right click): tick the secondary columns to see."""
        self.columns_menu().exec(self.table.horizontalHeader().mapToGlobal(position))

    def columns_menu(self) -> QMenu:
        """One ticked entry per secondary column; the choice is kept in the settings."""
        menu = QMenu(self)
        shown = self.shown_columns()
        for code, label in self.model.columns:
            if code not in SECONDARY_COLUMNS:
                continue
            action = menu.addAction(_(label))
            action.setCheckable(True)
            action.setChecked(code in shown)
            action.toggled.connect(lambda on, code=code: self.set_column_shown(code, on))
        return menu

    def set_column_shown(self, code: str, shown: bool) -> None:
        chosen = [c for c in self.shown_columns() if c != code] + ([code] if shown else [])
        chosen = [c for c in SECONDARY_COLUMNS if c in chosen]
        self._apply_shown_columns(chosen)
        settings.put(self.folder, COLUMNS_SETTING, chosen)

    def reload_themes(self) -> None:
        current = self.theme.currentData()
        self.theme.blockSignals(True)
        self.theme.clear()
        self.theme.addItem(_("All themes"), None)
        for theme in recommendations.list_themes(self.folder):
            self.theme.addItem(theme.label, theme.label)
        self.theme.setCurrentIndex(max(0, self.theme.findData(current)))
        self.theme.blockSignals(False)

    def reload(self, select_id: int | None = None) -> None:
        """Read the list again with the current filters, keeping the selection if it stays."""
        self._timer.stop()
        keep = select_id if select_id is not None else (
            self.selected().id if self.selected() else None)
        rows = recommendations.list_recommendations(
            self.folder, status=self.status.currentData(), addressee=self.addressee.text(),
            theme=self.theme.currentData())
        self.model.set_rows(rows)
        overdue = sum(1 for r in rows if r.overdue)
        self.summary.setText(ngettext("{count} recommendation", "{count} recommendations",
                                      len(rows)).format(count=number(len(rows)))
                             + (" · " + ngettext("{count} overdue", "{count} overdue",
                                                 overdue).format(count=number(overdue))
                                if overdue else ""))
        if keep is not None and (row := self.model.row_of(keep)) >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._show_selected()

    def selected(self) -> RecommendationInfo | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model else []
        return self.model.data(rows[0], REC_ROLE) if rows else None

    def _show_selected(self, *_args: object) -> None:
        info = self.selected()
        self.status_button.setEnabled(info is not None)
        self.session_button.setEnabled(info is not None and info.meeting_id is not None)
        if info is None:
            self.details.setPlainText(self.empty_details)
            return
        self.details.setHtml(details_html(recommendations.get(self.folder, info.id),
                                          own_uid(self.folder)))

    def show_recommendation(self, rec_id: int) -> None:
        """Clear the filters and select ``rec_id`` (from the search)."""
        for combo in (self.status, self.theme):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.addressee.blockSignals(True)
        self.addressee.clear()
        self.addressee.blockSignals(False)
        self.reload(select_id=rec_id)
        self.table.setFocus()

    def change_status(self) -> None:
        from ccsdesk.gui.recommendation_dialog import StatusDialog

        info = self.selected()
        if info is None:
            return
        dialog = StatusDialog(self.folder, recommendations.get(self.folder, info.id), self)
        if dialog.exec():
            self.reload(select_id=info.id)
            self.notify(_("Follow-up recorded."), None)

    def create_new(self) -> None:
        """Ctrl+N on the follow-up page: a new recommendation."""
        self.new_recommendation()

    def new_recommendation(self) -> None:
        """A recommendation is made at a session: ask which one, then show its form.

        The session of the selected recommendation is proposed first (the person is often
        adding a forgotten one of the same session), else the latest that already took place.
        """
        from ccsdesk.gui.recommendation_dialog import RecommendationDialog

        sessions = meetings.list_meetings(self.folder)
        if not sessions:
            self.notify(_("No session yet: a recommendation is made at a session. Plan or "
                          "record the session first (Sessions page)."), None)
            return
        chosen = self.ask_session(sessions, self._proposed_session(sessions))
        if chosen is None:
            return
        closed = recommendations.closed_reason(self.folder, chosen.id)
        if closed is not None:  # said before the form is filled in, not after
            self.notify(closed, None)
            return
        dialog = RecommendationDialog(self.folder, meetings.get_meeting(self.folder, chosen.id),
                                      parent=self)
        if dialog.exec() and dialog.rec_id is not None:
            self.reload_themes()
            self.show_recommendation(dialog.rec_id)
            self.notify(_("Recommendation recorded for {label}.").format(label=chosen.label),
                        None)

    def _proposed_session(self, sessions: list[meetings.MeetingInfo]) -> int:
        info = self.selected()
        if info is not None and info.meeting_id is not None:
            for row, meeting in enumerate(sessions):
                if meeting.id == info.meeting_id:
                    return row
        today = date.today()
        return next((row for row, m in enumerate(sessions) if m.date <= today), 0)

    def _pick_session(self, sessions: list[meetings.MeetingInfo],
                      proposed: int) -> meetings.MeetingInfo | None:
        labels = [_("{label}, {date}").format(label=m.label, date=long_date(m.date))
                  for m in sessions]
        dialog = QInputDialog(self)
        dialog.setWindowTitle(_("New recommendation"))
        dialog.setLabelText(_("At which session was it made?"))
        dialog.setComboBoxItems(labels)
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(labels[proposed])
        dialog.setOkButtonText(_("Continue"))
        dialog.setCancelButtonText(_("Cancel"))
        if not dialog.exec():
            return None
        return sessions[labels.index(dialog.textValue())]

    def _open_session(self) -> None:
        info = self.selected()
        if info is not None and info.meeting_id is not None:
            self.open_meeting.emit(info.meeting_id)

    def focus_filters(self) -> None:
        self.addressee.setFocus()
