"""How the Sessions and Recommendations pages and the search plug into the main window.

Kept out of ``main_window.py`` so that the window only says *when* (first visit of a page,
Ctrl+Shift+F) and this module says *what*: building the pages lazily — start-up should not
pay for reading sessions nobody opened — and routing a search hit to the right page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ccsdesk.core.services import search

if TYPE_CHECKING:
    from ccsdesk.gui.main_window import MainWindow
    from ccsdesk.gui.search_dialog import SearchDialog

LAZY_PAGES = ("sessions", "recommendations")


def ensure_page(window: MainWindow, code: str) -> QWidget:
    """The page ``code``, built and put in the window's stack on first use."""
    page = window.pages[code]
    if hasattr(page, "folder"):
        return page
    if code == "sessions":
        from ccsdesk.gui.sessions_page import SessionsPage

        sessions = SessionsPage(window.folder, window.show_status)
        sessions.search_requested.connect(lambda text: open_search(window, text))
        sessions.recommendations_changed.connect(lambda: _reload_recommendations(window))
        new: QWidget = sessions
    else:
        from ccsdesk.gui.recommendations_page import RecommendationsPage

        follow_up = RecommendationsPage(window.folder, window.show_status)
        follow_up.open_meeting.connect(lambda meeting_id: open_meeting(window, meeting_id))
        new = follow_up
    index = window.stack.indexOf(page)
    window.stack.removeWidget(page)
    page.deleteLater()
    window.stack.insertWidget(index, new)
    window.pages[code] = new
    return new


def _reload_recommendations(window: MainWindow) -> None:
    page = window.pages["recommendations"]
    if hasattr(page, "folder"):
        page.reload_themes()  # type: ignore[attr-defined]
        page.reload()  # type: ignore[attr-defined]


def _show(window: MainWindow, code: str) -> QWidget:
    from ccsdesk.gui.main_window import PAGES

    window.show_page([c for c, _label in PAGES].index(code))
    return window.pages[code]


def open_meeting(window: MainWindow, meeting_id: int, tab: str | None = None) -> None:
    page = _show(window, "sessions")
    page.open_meeting(meeting_id, tab)  # type: ignore[attr-defined]


def open_hit(window: MainWindow, kind: str, ref: int) -> None:
    """Open what a search result names: a session, its minutes, or a recommendation."""
    if kind == search.RECOMMENDATION:
        page = _show(window, "recommendations")
        page.show_recommendation(ref)  # type: ignore[attr-defined]
    else:
        open_meeting(window, ref, "minutes" if kind == search.MINUTES else None)


def open_search(window: MainWindow, text: str = "") -> SearchDialog:
    """Show the search window (one per main window, kept between uses)."""
    from ccsdesk.gui.search_dialog import SearchDialog

    dialog = getattr(window, "search_dialog", None)
    if dialog is None:
        dialog = SearchDialog(window.folder, window)
        dialog.open_hit.connect(lambda kind, ref: open_hit(window, kind, ref))
        window.search_dialog = dialog  # type: ignore[attr-defined]
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    if text:
        dialog.search_for(text)
    dialog.focus_box()
    return dialog
