"""The file name of each session document, shared by ``documents --out`` and the window.

The names are translated (a secretary opens these folders) and stable, so that a packet
written twice lands on the same file and scripts can find what they look for.
"""

from __future__ import annotations

from ccsdesk.core.i18n import _

KINDS = ("convocation", "convocations", "delivery", "attendance", "attendance-filled",
         "minutes", "recommendations", "packet", "packet_unsigned")


def file_names() -> dict[str, str]:
    """Document kind → file name, in the interface language."""
    return {
        "convocation": _("file name: convocation.pdf"),
        "convocations": _("file name: individual-convocations.pdf"),
        "delivery": _("file name: delivery-sheet.pdf"),
        "attendance": _("file name: attendance-sheet.pdf"),
        "attendance-filled": _("file name: filled-attendance-sheet.pdf"),
        "minutes": _("file name: minutes.pdf"),
        "recommendations": _("file name: recommendation-forms.pdf"),
        "packet": _("file name: signed-session-packet.pdf"),
        "packet_unsigned": _("file name: session-packet-unsigned.pdf"),
    }
