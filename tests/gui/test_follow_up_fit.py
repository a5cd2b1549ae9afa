"""The follow-up table fits a 1366-pixel-wide window (the common office laptop) without a
horizontal scroll bar: short columns sized to their content, the recommendation's text
wrapped on two lines with the full text in a tooltip, and secondary columns hidden until
asked for in the header's menu — a choice kept in the data folder's settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from ccsdesk.core.services import demo, meetings, minutes, recommendations, settings
from ccsdesk.core.storage.folder import DataFolder
from ccsdesk.gui.main_window import PAGES, MainWindow
from ccsdesk.gui.recommendations_page import COLUMNS_SETTING, RecommendationsPage
from tests.conftest import PASSPHRASE, screenshot
from tests.gui.conftest import open_window

ROW = [code for code, _label in PAGES].index("recommendations")
LONG_TEXT = ("Organiser chaque soir de marché, de 18 h à 23 h, des patrouilles mixtes de la "
             "police nationale et de la brigade de quartier autour du marché de Lafiabougou, "
             "des parkings non gardés et des rues qui y mènent, et en rendre compte au comité "
             "à chaque session ordinaire avec le nombre de vols constatés.")
LONG_ADDRESSEE = ("Commissariat de police du 5e arrondissement et brigade territoriale de "
                  "gendarmerie de la Commune IV")


@pytest.fixture
def sample(folder: DataFolder) -> DataFolder:
    demo.populate(folder, PASSPHRASE)
    return folder


def _window(qtbot, folder: DataFolder) -> tuple[MainWindow, RecommendationsPage]:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, folder)
    window.navigation.setCurrentRow(ROW)
    page = window.pages["recommendations"]
    assert isinstance(page, RecommendationsPage)
    qtbot.wait(50)  # the layout settles, as on screen
    return window, page


def _fits(page: RecommendationsPage) -> bool:
    table = page.table
    used = sum(table.columnWidth(c) for c in range(page.model.columnCount())
               if not table.isColumnHidden(c))
    return table.horizontalScrollBar().maximum() == 0 and used <= table.viewport().width()


def test_the_sample_fits_at_1366_pixels(qtbot, qapp_styled, sample):  # type: ignore[no-untyped-def]
    window, page = _window(qtbot, sample)
    assert page.model.rowCount() == 4
    assert _fits(page)
    shown = [page.model.headerData(c, Qt.Orientation.Horizontal)
             for c in range(page.model.columnCount()) if not page.table.isColumnHidden(c)]
    assert shown == ["N°", "Échéance", "État", "Recommandation", "Destinataire"]
    screenshot(window, "follow-up-1366")


def test_a_long_text_wraps_and_fits(qtbot, qapp_styled, sample):  # type: ignore[no-untyped-def]
    held = min(meetings.list_meetings(sample), key=lambda m: m.date)
    minutes.correct(sample, held.id, "Une fiche oubliée")  # forms are added to open minutes
    rec_id = recommendations.add(sample, held.id, recommendations.RecommendationData(
        problem="Vols de motos", text=LONG_TEXT, addressee=LONG_ADDRESSEE, priority="high",
        deadline=held.date + timedelta(days=10)))
    window, page = _window(qtbot, sample)
    assert _fits(page)
    row = page.model.row_of(rec_id)
    text_column = page.column_of("text")
    index = page.model.index(row, text_column)
    assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) == LONG_TEXT
    addressee = page.model.index(row, page.column_of("addressee"))
    assert page.model.data(addressee, Qt.ItemDataRole.ToolTipRole) == LONG_ADDRESSEE
    assert page.table.wordWrap()
    # Two lines of text per row: more of the recommendation reads without a click.
    line = page.table.fontMetrics().lineSpacing()
    assert page.table.verticalHeader().defaultSectionSize() >= 2 * line
    page.table.selectRow(row)
    screenshot(window, "follow-up-1366-long-text")


def test_secondary_columns_come_from_the_header_menu_and_are_remembered(  # type: ignore[no-untyped-def]
        qtbot, qapp_styled, sample):
    window, page = _window(qtbot, sample)
    theme = page.column_of("theme")
    assert page.table.isColumnHidden(theme)
    menu = page.columns_menu()
    chosen = [a.text() for a in menu.actions()]
    next(a for a in menu.actions() if a.text() == "Thème").trigger()
    assert "Thème" in chosen and "Priorité" in chosen and "Session" in chosen
    assert "Recommandation" not in chosen  # the main columns always stay
    assert not page.table.isColumnHidden(theme)
    assert settings.get(sample, COLUMNS_SETTING) == ["theme"]
    assert _fits(page)
    screenshot(window, "follow-up-1366-with-theme")

    again = RecommendationsPage(sample)
    qtbot.addWidget(again)
    assert not again.table.isColumnHidden(again.column_of("theme"))
    assert again.table.isColumnHidden(again.column_of("priority"))


def test_a_broken_setting_falls_back_to_the_defaults(qtbot, qapp_styled, sample):  # type: ignore[no-untyped-def]
    settings.put(sample, COLUMNS_SETTING, {"not": "a list"})
    page = RecommendationsPage(sample)
    qtbot.addWidget(page)
    assert page.table.isColumnHidden(page.column_of("theme"))
    assert not page.table.isColumnHidden(page.column_of("addressee"))

