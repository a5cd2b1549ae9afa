"""The roster's composition at a glance: active members, women's share, categories,
mandates ending soon — the figures supervisors and funders ask about.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from ccsdesk.core import i18n
from ccsdesk.core.i18n import _, ngettext
from ccsdesk.core.services import roster
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.roster_model import french_date

# How many ending mandates the panel lists before summing up the rest.
SHOWN_MANDATES = 8


def percent(share: float) -> str:
    """``42 %`` in the interface language's conventions (Malian French by default)."""
    from babel.numbers import format_percent

    locale = "fr_ML" if i18n.current_language() == "fr" else "en"
    return format_percent(share, locale=locale)


class CompositionPanel(QGroupBox):
    """Read-only figures from ``roster.composition``; ``refresh()`` after each change."""

    def __init__(self, folder: DataFolder, parent: QWidget | None = None) -> None:
        super().__init__(_("Composition"), parent)
        self.folder = folder
        self.summary = QLabel()
        self.summary.setObjectName("figures")
        self.categories = QLabel()
        self.ending_title = QLabel()
        self.ending = QLabel()
        self.ending.setObjectName("warning")
        for label in (self.summary, self.categories, self.ending_title, self.ending):
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("<b>" + _("By category") + "</b>"))
        layout.addWidget(self.categories)
        layout.addWidget(self.ending_title)
        layout.addWidget(self.ending)
        layout.addStretch(1)
        self.setMinimumWidth(260)
        self.setMaximumWidth(300)

    def refresh(self) -> roster.Composition:
        figures = roster.composition(self.folder)
        self.summary.setText(
            ngettext("{count} active voting member", "{count} active voting members",
                     figures.active).format(count=figures.active)
            + "\n" + _("Women: {women} ({share})").format(
                women=figures.women, share=percent(figures.women_share))
        )
        self.categories.setText(
            "\n".join(_("{label}: {count}").format(label=label, count=count)
                      for label, count in figures.by_category)
            or _("No active member yet."))
        self.ending_title.setText("<b>" + _("Mandates ending within {days} days").format(
            days=roster.ENDING_SOON_DAYS) + "</b>")
        lines = [f"{m.full_name} — {french_date(m.mandate_end)}" for m in figures.ending_soon]
        lines += [_("{name} — ended {date}").format(name=m.full_name,
                                                   date=french_date(m.mandate_end))
                  for m in figures.ended]
        if len(lines) > SHOWN_MANDATES:
            # The table shows them all (highlighted); the panel only has room for a few.
            more = len(lines) - SHOWN_MANDATES + 1
            lines = [*lines[:SHOWN_MANDATES - 1],
                     ngettext("and {count} more (highlighted in the table)",
                              "and {count} more (highlighted in the table)", more).format(
                         count=more)]
        self.ending.setText("\n".join(lines) or _("None."))
        self.ending.setProperty("empty", not lines)
        self.ending.style().unpolish(self.ending)
        self.ending.style().polish(self.ending)
        return figures
