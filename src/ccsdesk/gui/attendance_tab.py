"""The « Présences » tab: one status per active member, guests apart, and a live quorum
banner.

Each change is one ``attendance.set_attendance`` call, which returns the quorum it now
gives, so the banner follows every click without a second query. « Représenté » asks for
the representative among the members marked present, as the service requires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import N_, _, ngettext
from ccsdesk.core.services import attendance, meetings
from ccsdesk.core.services.member_fields import ROLES
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.errors import show_error


def banner_text(quorum: attendance.Quorum) -> str:
    """What the quorum banner says (also used by the session header)."""
    rule = _(attendance.RULES.get(quorum.rule, quorum.rule))
    if quorum.second_convocation and quorum.reached:
        return ngettext("Second convocation: the session deliberates whatever the number of "
                        "members present ({counted} present or represented).",
                        "Second convocation: the session deliberates whatever the number of "
                        "members present ({counted} present or represented).",
                        quorum.counted).format(counted=quorum.counted)
    if not quorum.recorded:
        return _("Attendance not recorded yet: {required} of the {in_office} members in "
                 "office are needed ({rule}).").format(
                     required=quorum.required, in_office=quorum.in_office, rule=rule)
    if quorum.reached:
        text = ngettext("Quorum reached: {counted} present or represented, {required} needed "
                        "({in_office} members in office).",
                        "Quorum reached: {counted} present or represented, {required} needed "
                        "({in_office} members in office).", quorum.counted)
    else:
        text = ngettext("Quorum not reached: {counted} present or represented, {required} "
                        "needed ({in_office} members in office).",
                        "Quorum not reached: {counted} present or represented, {required} "
                        "needed ({in_office} members in office).", quorum.counted)
    return text.format(counted=quorum.counted, required=quorum.required,
                       in_office=quorum.in_office)


def banner_state(quorum: attendance.Quorum) -> str:
    """The banner's style: ``reached``, ``missing`` or ``unknown``."""
    if quorum.reached:
        return "reached"
    return "missing" if quorum.recorded else "unknown"


class QuorumBanner(QLabel):
    """A coloured line: green when the session may deliberate, red when not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quorumBanner")
        self.setWordWrap(True)
        self.state = "unknown"

    def show_quorum(self, quorum: attendance.Quorum) -> None:
        self.state = banner_state(quorum)
        self.setText(banner_text(quorum))
        self.setProperty("quorum", self.state)
        self.style().unpolish(self)
        self.style().polish(self)


ATTENDANCE_COLUMNS = (N_("Member"), N_("Role"), N_("Attendance"), N_("Represented by"))
STATUS_COLUMN, PROXY_COLUMN = 2, 3
MEMBER_ROLE = Qt.ItemDataRole.UserRole + 1
_NOT_RECORDED = QColor("#777777")

AnyIndex = QModelIndex | QPersistentModelIndex


class AttendanceModel(QAbstractTableModel):
    """One row per member. Editing a cell does not store anything itself: it asks
    ``request(member_id, status, represented_by)``, which calls the service and reloads.

    A model with delegates rather than a combo box per row: a session of 60 members opens
    in a few milliseconds instead of the 400 ms that 120 combo boxes cost.
    """

    def __init__(self, request: Callable[[int, str, int | None], None]) -> None:
        super().__init__()
        self.rows: list[attendance.AttendanceInfo] = []
        self.open = True
        self.request = request
        self._statuses = {code: _(label) for code, label in attendance.STATUSES.items()}
        self._roles = {code: _(label) for code, label in ROLES.items()}

    def set_rows(self, rows: list[attendance.AttendanceInfo], is_open: bool) -> None:
        self.beginResetModel()
        self.rows, self.open = rows, is_open
        self.endResetModel()

    def present(self, except_id: int | None = None) -> list[attendance.AttendanceInfo]:
        return [r for r in self.rows if r.status == "present" and r.member_id != except_id]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ATTENDANCE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(ATTENDANCE_COLUMNS[section])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not index.isValid() or not self.open:
            return flags
        info = self.rows[index.row()]
        if index.column() == STATUS_COLUMN or (index.column() == PROXY_COLUMN
                                               and info.status == "represented"):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        info = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return info.name + ("" if info.votes else " " + _("(no vote)"))
            if column == 1:
                return self._roles.get(info.role, info.role)
            if column == STATUS_COLUMN:
                return self._statuses[info.status] if info.status else _("— not recorded —")
            return info.represented_by_name
        if role == Qt.ItemDataRole.EditRole:
            return info.status if column == STATUS_COLUMN else info.represented_by
        if role == MEMBER_ROLE:
            return info
        if (role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN
                and info.status is None):
            return QBrush(_NOT_RECORDED)
        if role == Qt.ItemDataRole.ToolTipRole and column in (STATUS_COLUMN, PROXY_COLUMN) \
                and self.open:
            return _("Double-click to change (or P, A, E, R on the keyboard)")
        return None

    def setData(self, index: AnyIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or value is None:
            return False
        info = self.rows[index.row()]
        if index.column() == STATUS_COLUMN:
            if value == info.status and value != "represented":
                return False
            self.request(info.member_id, value, None)
        elif index.column() == PROXY_COLUMN:
            if value == info.represented_by:
                return False
            self.request(info.member_id, "represented", value)
        return True


class _ChoiceDelegate(QStyledItemDelegate):
    """A combo box that commits as soon as a choice is made (one click, not two)."""

    def choices(self, index: QModelIndex) -> list[tuple[str, object]]:
        raise NotImplementedError

    def createEditor(self, parent: QWidget, option: object,
                     index: QModelIndex) -> QWidget:
        box = QComboBox(parent)
        for label, value in self.choices(index):
            box.addItem(label, value)
        target = QPersistentModelIndex(index)
        box.activated.connect(lambda _i: self._choose(box, target))
        return box

    def _choose(self, box: QComboBox, index: QPersistentModelIndex) -> None:
        """Close the editor first, then record: recording re-reads the whole table."""
        value = box.currentData()
        self.closeEditor.emit(box)
        model = index.model()
        if index.isValid() and model is not None:
            model.setData(model.index(index.row(), index.column()), value,
                          Qt.ItemDataRole.EditRole)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:
        """Nothing on focus loss: only an actual choice records something."""


class StatusDelegate(_ChoiceDelegate):
    def choices(self, index: QModelIndex) -> list[tuple[str, object]]:
        return [(_(label), code) for code, label in attendance.STATUSES.items()]


class ProxyDelegate(_ChoiceDelegate):
    def choices(self, index: QModelIndex) -> list[tuple[str, object]]:
        model = index.model()
        info = index.data(MEMBER_ROLE)
        assert isinstance(model, AttendanceModel)
        return [(r.name, r.member_id) for r in model.present(except_id=info.member_id)]


class GuestDialog(QDialog):
    """Name and organisation of a guest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Invite a guest"))
        self.name = QLineEdit()
        self.organisation = QLineEdit()
        self.organisation.setPlaceholderText(_("optional"))
        form = QFormLayout()
        form.addRow(_("Name:"), self.name)
        form.addRow(_("Organisation:"), self.organisation)
        note = QLabel(_("Guests are recorded on the attendance list but have no vote and do "
                        "not count for the quorum."))
        note.setWordWrap(True)
        note.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)


class AttendanceTab(QWidget):
    """Signal ``quorum_changed(object)`` with the new :class:`attendance.Quorum`."""

    quorum_changed = Signal(object)

    def __init__(self, folder: DataFolder, meeting_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.meeting_id = meeting_id
        self.rows: list[attendance.AttendanceInfo] = []
        self.guests: list[meetings.GuestInfo] = []
        self.open = True
        self._loading = False
        self.banner = QuorumBanner()
        self.model = AttendanceModel(self._request)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(STATUS_COLUMN, StatusDelegate(self.table))
        self.table.setItemDelegateForColumn(PROXY_COLUMN, ProxyDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.SelectedClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(2, 150)
        self.all_present_button = QPushButton(_("Mark everyone not recorded as present"))
        self.guest_list = QListWidget()
        self.add_guest_button = QPushButton(_("Invite a guest…"))
        self.closed_note = QLabel(_("The minutes are adopted: the attendance is frozen as "
                                    "they state it."))
        self.closed_note.setObjectName("hint")
        self.closed_note.hide()

        members = QWidget()
        members_layout = QVBoxLayout(members)
        members_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        members_title = QLabel(_("Members (double-click the attendance, or keyboard: P, A, E, R)"))
        members_title.setObjectName("sectionTitle")
        top.addWidget(members_title)
        top.addStretch(1)
        top.addWidget(self.all_present_button)
        members_layout.addLayout(top)
        members_layout.addWidget(self.table, 1)
        guests = QWidget()
        guests_layout = QVBoxLayout(guests)
        guests_layout.setContentsMargins(0, 0, 0, 0)
        guests_title = QLabel(_("Guests (not counted; tick those present)"))
        guests_title.setObjectName("sectionTitle")
        guests_title.setWordWrap(True)
        guests_layout.addWidget(guests_title)
        guests_layout.addWidget(self.guest_list, 1)
        guests_layout.addWidget(self.add_guest_button)
        splitter = QSplitter()
        splitter.addWidget(members)
        splitter.addWidget(guests)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([760, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.closed_note)
        layout.addWidget(splitter, 1)
        self.all_present_button.clicked.connect(self.mark_rest_present)
        self.add_guest_button.clicked.connect(self.add_guest)
        self.guest_list.itemChanged.connect(self._on_guest_ticked)
        self.table.installEventFilter(self)

    # -- reading -------------------------------------------------------------------------

    def load(self, is_open: bool, quorum: attendance.Quorum | None = None) -> None:
        """Read the attendance again; ``quorum`` when the caller already has it."""
        self.open = is_open
        self._loading = True
        try:
            keep = self.table.currentIndex().row()
            self.rows = attendance.list_attendance(self.folder, self.meeting_id)
            self.model.set_rows(self.rows, is_open)
            if 0 <= keep < len(self.rows):
                self.table.setCurrentIndex(self.model.index(keep, 0))
            self._load_guests()
        finally:
            self._loading = False
        self.all_present_button.setEnabled(is_open and any(r.status is None for r in self.rows))
        self.add_guest_button.setEnabled(is_open)
        self.closed_note.setVisible(not is_open)
        self.refresh_quorum(quorum)

    def _load_guests(self) -> None:
        self.guests = meetings.list_guests(self.folder, self.meeting_id)
        self.guest_list.clear()
        for guest in self.guests:
            text = guest.name + (f" — {guest.organisation}" if guest.organisation else "")
            item = QListWidgetItem(text)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if not self.open:
                flags &= ~Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if guest.present
                               else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, guest.id)
            self.guest_list.addItem(item)

    def refresh_quorum(self, quorum: attendance.Quorum | None = None) -> None:
        quorum = quorum or attendance.quorum(self.folder, self.meeting_id)
        self.banner.show_quorum(quorum)
        self.quorum_changed.emit(quorum)

    def row_of(self, member_id: int) -> int:
        return next(i for i, r in enumerate(self.rows) if r.member_id == member_id)

    def status_of(self, member_id: int) -> str:
        """The attendance cell as shown (« présent », « — non saisi — »…)."""
        return self.model.data(self.model.index(self.row_of(member_id), STATUS_COLUMN))

    def proxy_of(self, member_id: int) -> str:
        return self.model.data(self.model.index(self.row_of(member_id), PROXY_COLUMN))

    def choose(self, member_id: int, status: str) -> None:
        """What picking ``status`` in a member's attendance cell does."""
        self.model.setData(self.model.index(self.row_of(member_id), STATUS_COLUMN), status)

    # -- changing ------------------------------------------------------------------------

    def set_status(self, member_id: int, status: str,
                   represented_by: int | None = None) -> bool:
        """Record one member's attendance; a refusal is shown and the table re-read."""
        try:
            quorum = attendance.set_attendance(self.folder, self.meeting_id, member_id, status,
                                               represented_by)
        except CcsError as error:
            show_error(self, error)
            self.load(self.open)
            return False
        self.load(self.open, quorum)
        return True

    def _request(self, member_id: int, status: str, represented_by: int | None) -> None:
        """A choice made in the table (delegate or keyboard); « represented » asks by whom."""
        if status == "represented" and represented_by is None:
            represented_by = self.ask_representative(self.rows[self.row_of(member_id)])
            if represented_by is None:
                return
        self.set_status(member_id, status, represented_by)

    def ask_representative(self, info: attendance.AttendanceInfo) -> int | None:
        present = [r for r in self.rows if r.status == "present" and r.member_id
                   != info.member_id]
        if not present:
            QMessageBox.information(
                self, _("Represented"),
                _("No member is marked present yet: mark the representative present first, "
                  "then come back to {name}.").format(name=info.name))
            return None
        names = [r.name for r in present]
        name, ok = QInputDialog.getItem(
            self, _("Represented"), _("Who represents {name}?").format(name=info.name),
            names, 0, False)
        if not ok:
            return None
        return present[names.index(name)].member_id

    def mark_rest_present(self) -> None:
        quorum: attendance.Quorum | None = None
        for info in [r for r in self.rows if r.status is None]:
            try:
                quorum = attendance.set_attendance(self.folder, self.meeting_id,
                                                   info.member_id, "present")
            except CcsError as error:
                show_error(self, error)
                break
        else:
            self.load(self.open, quorum)
            return
        self.load(self.open)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """P / A / E / R on a selected row set présent / absent / excusé / représenté."""
        if (watched is self.table and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress and self.open):
            keys = {Qt.Key.Key_P: "present", Qt.Key.Key_A: "absent",
                    Qt.Key.Key_E: "excused", Qt.Key.Key_R: "represented"}
            status = keys.get(Qt.Key(event.key()))
            row = self.table.currentIndex().row()
            if status and 0 <= row < len(self.rows):
                self.choose(self.rows[row].member_id, status)
                following = min(row + 1, len(self.rows) - 1)
                self.table.setCurrentIndex(self.model.index(following, 0))
                return True
        return super().eventFilter(watched, event)

    def add_guest(self) -> None:
        dialog = GuestDialog(self)
        if not dialog.exec():
            return
        try:
            meetings.add_guest(self.folder, self.meeting_id, dialog.name.text(),
                               dialog.organisation.text())
        except CcsError as error:
            show_error(self, error)
            return
        self._loading = True
        try:
            self._load_guests()
        finally:
            self._loading = False

    def _on_guest_ticked(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        guest_id = item.data(Qt.ItemDataRole.UserRole)
        present = item.checkState() == Qt.CheckState.Checked
        try:
            meetings.set_guest_present(self.folder, self.meeting_id, guest_id, present)
        except CcsError as error:
            show_error(self, error)
            self._loading = True
            try:
                self._load_guests()
            finally:
                self._loading = False
