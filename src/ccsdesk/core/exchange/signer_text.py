"""Whether the signer of a PDF or an archive is a committee this one knows, in words.

The command line and the window say it the same way, so it is written once here.
"""

from __future__ import annotations

from typing import Any

from ccsdesk.core.i18n import _


def known_signer(result: Any) -> str:
    """For a :class:`signing.Verification` or an archive check: known, certified or unknown."""
    if result.known_signer and result.certified_by:
        return _("Signer certified by a known committee: {name}.").format(
            name=result.certified_by)
    if not result.known_signer:
        return _("Signer not known to this committee: check its certificate before trusting "
                 "the document.")
    if result.relation == "parent":
        return _("Known signer: « {name} », our parent committee (key {fingerprint}).").format(
            name=result.committee, fingerprint=result.fingerprint)
    if result.relation == "child":
        return _("Known signer: « {name} », one of our child committees (key "
                 "{fingerprint}).").format(name=result.committee,
                                           fingerprint=result.fingerprint)
    return _("Known signer: this committee (key {fingerprint}).").format(
        fingerprint=result.fingerprint)
