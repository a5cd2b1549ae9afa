"""The add / edit member dialog.

Faults found by ``MemberData.cleaned()`` are shown inside the dialog, which stays open with
everything typed; a second member with the same name needs a confirmation.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from ccsdesk.core.errors import CcsError, InputError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import roster
from ccsdesk.core.services.member_fields import ROLES, SEXES
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.form_parts import lay_out_form, problem_label

# A QDateEdit cannot be empty; its minimum date stands for "no date" and shows as "—".
_NO_DATE = QDate(1900, 1, 1)


class OptionalDateEdit(QDateEdit):
    """A date field that may be left empty (the minimum date reads « none »)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setMinimumDate(_NO_DATE)
        self.setSpecialValueText(_("none"))
        self.set_value(None)

    def value(self) -> date | None:
        current = self.date()
        if current == _NO_DATE:
            return None
        return date(current.year(), current.month(), current.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else _NO_DATE)


class MemberDialog(QDialog):
    """Edit one member; on OK the member is saved. Attribute ``member_id`` after saving."""

    def __init__(self, folder: DataFolder, member: roster.MemberInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.member_id = member.id if member else None
        self.setWindowTitle(_("Edit a member") if member else _("New member"))
        self.last_name = QLineEdit()
        self.first_names = QLineEdit()
        self.sex = QComboBox()
        self.sex.addItem(_("— choose —"), "")
        for code, label in SEXES.items():
            self.sex.addItem(_(label), code)
        self.category = QComboBox()
        self.category.addItem(_("No category"), None)
        for category in roster.list_categories(folder):
            self.category.addItem(category.label, category.id)
        self.organisation = QLineEdit()
        self.role = QComboBox()
        for code, label in ROLES.items():
            self.role.addItem(_(label), code)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("76 12 34 56")
        self.email = QLineEdit()
        self.mandate_start = OptionalDateEdit()
        self.mandate_end = OptionalDateEdit()
        self.active = QCheckBox(_("Active member"))
        self.active.setChecked(True)
        self.problem = problem_label()
        form = QFormLayout()
        form.addRow(_("Family name:"), self.last_name)
        form.addRow(_("First names:"), self.first_names)
        form.addRow(_("Sex:"), self.sex)
        form.addRow(_("Category:"), self.category)
        form.addRow(_("Organisation:"), self.organisation)
        form.addRow(_("Bureau role:"), self.role)
        form.addRow(_("Phone:"), self.phone)
        form.addRow(_("E-mail:"), self.email)
        form.addRow(_("Mandate starts:"), self.mandate_start)
        form.addRow(_("Mandate ends:"), self.mandate_end)
        form.addRow("", self.active)
        self.buttons = lay_out_form(self, form, self.problem, self._on_save, width=460)
        if member is not None:
            self._fill(member)
        self.role.setCurrentIndex(self.role.findData(member.role if member else "member"))

    def _fill(self, member: roster.MemberInfo) -> None:
        self.last_name.setText(member.last_name)
        self.first_names.setText(member.first_names)
        self.sex.setCurrentIndex(max(0, self.sex.findData(member.sex)))
        index = self.category.findData(member.category_id)
        if index < 0 and member.category_id is not None:
            # An archived category stays shown so saving does not drop it silently.
            self.category.addItem(member.category, member.category_id)
            index = self.category.count() - 1
        self.category.setCurrentIndex(max(0, index))
        self.organisation.setText(member.organisation)
        self.phone.setText(member.phone)
        self.email.setText(member.email)
        self.mandate_start.set_value(member.mandate_start)
        self.mandate_end.set_value(member.mandate_end)
        self.active.setChecked(member.active)

    def data(self) -> roster.MemberData:
        """What the form holds, not yet checked."""
        return roster.MemberData(
            last_name=self.last_name.text(), first_names=self.first_names.text(),
            sex=self.sex.currentData() or "", category_id=self.category.currentData(),
            organisation=self.organisation.text(), role=self.role.currentData(),
            phone=self.phone.text(), email=self.email.text(),
            mandate_start=self.mandate_start.value(), mandate_end=self.mandate_end.value(),
            active=self.active.isChecked(),
        )

    def show_problem(self, message: str) -> None:
        self.problem.setText(message[:1].upper() + message[1:] + ("" if message.endswith(".")
                                                                  else "."))
        self.problem.show()

    def _confirm_homonym(self, clean: roster.MemberData) -> bool:
        same = roster.homonyms(self.folder, clean.last_name, clean.first_names,
                               exclude=self.member_id)
        if not same:
            return True
        names = "\n".join(
            f"• {m.full_name} — {m.category or _('No category')}"
            + ("" if m.active else " " + _("(inactive)")) for m in same)
        answer = QMessageBox.question(
            self, _("Same name"),
            _("The roster already has a member with this name:\n{names}\n\n"
              "Save this one as a different person?").format(names=names),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_save(self) -> None:
        try:
            clean = self.data().cleaned()
        except InputError as error:
            self.show_problem(error.message)
            return
        if not self._confirm_homonym(clean):
            return
        try:
            if self.member_id is None:
                self.member_id = roster.add_member(self.folder, clean)
            else:
                roster.update_member(self.folder, self.member_id, clean)
        except CcsError as error:
            self.show_problem(error.message)
            return
        self.accept()
