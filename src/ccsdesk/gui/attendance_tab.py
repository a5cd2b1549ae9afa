"""The « Présences » tab: one status per active member, guests apart, and a live quorum
banner.

Each change is one ``attendance.set_attendance`` call, which returns the quorum it now
gives, so the banner follows every click without a second query. « Représenté » asks for
the representative among the members marked present, as the service requires.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccsdesk.core.errors import CcsError
from ccsdesk.core.i18n import _, ngettext
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
        self._built: list[int] = []
        self.banner = QuorumBanner()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Member"), _("Role"), _("Attendance"),
                                              _("Represented by")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
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
        members_title = QLabel(_("Members (keyboard: select a row, then P, A, E or R)"))
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
            self.rows = attendance.list_attendance(self.folder, self.meeting_id)
            keep = self.table.currentRow()
            ids = [r.member_id for r in self.rows]
            if ids != self._built:
                self._build()
                self._built = ids
            present = [(r.member_id, r.name) for r in self.rows if r.status == "present"]
            for row, info in enumerate(self.rows):
                status = self.table.cellWidget(row, 2)
                proxy = self.table.cellWidget(row, 3)
                assert isinstance(status, QComboBox) and isinstance(proxy, QComboBox)
                status.setCurrentIndex(max(0, status.findData(info.status)))
                status.setEnabled(is_open)
                proxy.clear()
                proxy.addItem("", None)
                for member_id, member_name in present:
                    if member_id != info.member_id:
                        proxy.addItem(member_name, member_id)
                if info.represented_by is not None and proxy.findData(info.represented_by) < 0:
                    proxy.addItem(info.represented_by_name, info.represented_by)
                proxy.setCurrentIndex(max(0, proxy.findData(info.represented_by)))
                proxy.setEnabled(is_open and info.status == "represented")
            if 0 <= keep < len(self.rows):
                self.table.setCurrentCell(keep, 0)
            self._load_guests()
        finally:
            self._loading = False
        self.all_present_button.setEnabled(is_open and any(r.status is None for r in self.rows))
        self.add_guest_button.setEnabled(is_open)
        self.closed_note.setVisible(not is_open)
        self.refresh_quorum(quorum)

    def _build(self) -> None:
        """One row of widgets per member; rebuilt only when the members change, so a
        combo box is never deleted while its own signal is being handled."""
        self.table.setRowCount(len(self.rows))
        for row, info in enumerate(self.rows):
            self.table.setItem(row, 0, QTableWidgetItem(
                info.name + ("" if info.votes else " " + _("(no vote)"))))
            self.table.setItem(row, 1, QTableWidgetItem(_(ROLES.get(info.role, info.role))))
            status = QComboBox()
            status.addItem(_("— not recorded —"), None)
            for code, label in attendance.STATUSES.items():
                status.addItem(_(label), code)
            status.currentIndexChanged.connect(
                lambda _i, member=info.member_id, box=status: self._on_status(member, box))
            self.table.setCellWidget(row, 2, status)
            proxy = QComboBox()
            proxy.currentIndexChanged.connect(
                lambda _i, member=info.member_id, box=proxy: self._on_proxy(member, box))
            self.table.setCellWidget(row, 3, proxy)
        self.table.resizeRowsToContents()

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

    def status_box(self, member_id: int) -> QComboBox:
        widget = self.table.cellWidget(self.row_of(member_id), 2)
        assert isinstance(widget, QComboBox)
        return widget

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

    def _on_status(self, member_id: int, box: QComboBox) -> None:
        if self._loading:
            return
        status = box.currentData()
        info = self.rows[self.row_of(member_id)]
        if status is None:  # « not recorded » cannot be chosen back once recorded
            self.load(self.open)
            return
        if status == "represented":
            proxy = self.ask_representative(info)
            if proxy is None:
                self.load(self.open)
                return
            self.set_status(member_id, status, proxy)
            return
        self.set_status(member_id, status)

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

    def _on_proxy(self, member_id: int, box: QComboBox) -> None:
        if self._loading or box.currentData() is None:
            return
        self.set_status(member_id, "represented", box.currentData())

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
            row = self.table.currentRow()
            if status and 0 <= row < len(self.rows):
                box = self.status_box(self.rows[row].member_id)
                box.setCurrentIndex(box.findData(status))
                if 0 <= row < self.table.rowCount():
                    self.table.setCurrentCell(min(row + 1, self.table.rowCount() - 1), 0)
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
