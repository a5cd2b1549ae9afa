"""What archives carry about sessions and recommendations, out and back in.

Going up, a signed session travels as one JSON document (``ccsdesk-session/1``): the meeting,
its agenda, attendance counts, the signed minutes' text and its recommendations with their
whole status history. It is serialised deterministically so that its hash changes only when
something in it changed — which is what decides whether it is due again.

Coming in, a session lands in ``received_session`` (read-only, with its origin committee)
and its recommendations in ``recommendation`` with the origin's uid, so that the follow-up
view works across children; status steps are merged by (status, time, note), each step
keeping the committee that brought it in ``source_uid`` (local steps have ``""``) and the
committee that decided it in ``committee_uid``/``committee_name`` (which travels with the
step). A follow-up decision is due to a neighbour only for the steps it may lack — those
neither brought by it nor by the sessions that travel its way — so a step never echoes back
to where it came from, and every level that holds a recommendation ends with the same history.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccsdesk.core.errors import InputError
from ccsdesk.core.i18n import _
from ccsdesk.core.services import journal, meetings, recommendations
from ccsdesk.core.storage.models import (
    AgendaItem,
    Attendance,
    Committee,
    Meeting,
    Minutes,
    MinutesItem,
    MinutesVersion,
    ReceivedSession,
    Recommendation,
    RecommendationStatus,
    Theme,
)
from ccsdesk.core.text import fold, fold_key

SESSION_FORMAT = "ccsdesk-session/1"
DECISION_FORMAT = "ccsdesk-decision/1"


def dumps(document: dict[str, Any]) -> bytes:
    """Deterministic JSON: the same content always gives the same bytes and hash."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1,
                      default=str).encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _self(session: Session) -> Committee | None:
    return session.scalar(select(Committee).where(Committee.relation == "self"))


def _decider(step: RecommendationStatus, own: Committee | None) -> tuple[str, str]:
    """Who decided a step: recorded with it, or this committee for a step recorded here."""
    if step.committee_uid:
        return step.committee_uid, step.committee_name
    if not step.source_uid and own is not None:
        return own.uid, own.name
    return "", ""


def _history(session: Session, rec_id: int,
             own: Committee | None = None) -> list[dict[str, str]]:
    own = own if own is not None else _self(session)
    steps = session.scalars(select(RecommendationStatus).where(
        RecommendationStatus.recommendation_id == rec_id).order_by(
            RecommendationStatus.at, RecommendationStatus.id))
    history = []
    for s in steps:
        committee_uid, committee_name = _decider(s, own)
        history.append({"status": s.status, "at": s.at.isoformat(timespec="microseconds"),
                        "author": s.author, "note": s.note, "committee_uid": committee_uid,
                        "committee_name": committee_name})
    return history


def session_document(session: Session, own: Committee, meeting: Meeting) -> dict[str, Any]:
    """The ``ccsdesk-session/1`` document of one of our signed sessions."""
    agenda = list(session.scalars(select(AgendaItem).where(
        AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)))
    titles = {item.id: (item.position, item.title) for item in agenda}
    counts = dict(session.execute(select(Attendance.status, func.count()).where(
        Attendance.meeting_id == meeting.id).group_by(Attendance.status)).all())
    minutes_doc: dict[str, Any] | None = None
    minutes = session.scalar(select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is not None:
        version = session.scalar(select(MinutesVersion).where(
            MinutesVersion.minutes_id == minutes.id,
            MinutesVersion.number == minutes.current_version))
        if version is not None:
            texts = session.scalars(select(MinutesItem).where(
                MinutesItem.version_id == version.id))
            minutes_doc = {
                "version": version.number, "state": version.state,
                "opening": version.opening, "divers": version.divers,
                "closing_time": version.closing_time, "signer": version.signer,
                "signed_at": version.signed_at.isoformat() if version.signed_at else None,
                "text_hash": version.text_hash,
                "items": sorted(
                    ({"position": titles.get(t.agenda_item_id, (0, ""))[0],
                      "title": titles.get(t.agenda_item_id, (0, ""))[1], "text": t.text}
                     for t in texts), key=lambda i: i["position"]),
            }
    recs = []
    for rec in session.scalars(select(Recommendation).where(
            Recommendation.meeting_id == meeting.id).order_by(Recommendation.number)):
        theme = session.get(Theme, rec.theme_id) if rec.theme_id else None
        recs.append({
            "uid": rec.uid, "number": rec.number,
            "agenda_position": titles.get(rec.agenda_item_id, (None, ""))[0],
            "problem": rec.problem, "text": rec.text, "addressee": rec.addressee,
            "follow_up_by": rec.follow_up_by, "priority": rec.priority,
            "deadline": rec.deadline.isoformat(), "theme": theme.label if theme else "",
            "origin_uid": rec.origin_uid, "origin_name": rec.origin_name,
            "status": rec.status, "history": _history(session, rec.id, own),
        })
    return {
        "format": SESSION_FORMAT,
        "uid": meeting.uid,
        "committee": {"uid": own.uid, "name": own.name, "level": own.level},
        "label": meetings.label_of(meeting),
        "year": meeting.year, "kind": meeting.kind, "number": meeting.number,
        "date": meeting.date.isoformat(), "time": meeting.time, "venue": meeting.venue,
        "urgent": meeting.urgent, "state": meeting.state,
        "agenda": [{"position": a.position, "title": a.title, "presenter": a.presenter}
                   for a in agenda],
        "attendance": {k: counts.get(k, 0) for k in
                       ("present", "absent", "excused", "represented")},
        "quorum": json.loads(meeting.quorum_snapshot) if meeting.quorum_snapshot else None,
        "minutes": minutes_doc,
        "recommendations": recs,
    }


def decision_document(session: Session, rec: Recommendation,
                      own: Committee | None = None) -> dict[str, Any]:
    """A recommendation's whole history, for a neighbour that holds it (up or down)."""
    return {"format": DECISION_FORMAT, "uid": rec.uid, "number": rec.number,
            "status": rec.status, "history": _history(session, rec.id, own)}


def steps_digest(session: Session, rec: Recommendation, known_from: set[str],
                 own: Committee | None = None) -> str | None:
    """What a neighbour may lack of ``rec``'s history, as a hash; None when it lacks nothing.

    ``known_from`` names the committees whose steps the neighbour already holds: itself (it
    sent them) and, going down, the committees whose sessions came through it; going up, the
    recommendation's writer (its sessions are forwarded up unchanged). The decision is due
    again when this hash changes — not when a step the neighbour sent us is added, which
    would only echo it back.
    """
    steps = [s for s in session.scalars(select(RecommendationStatus).where(
        RecommendationStatus.recommendation_id == rec.id).order_by(
            RecommendationStatus.at, RecommendationStatus.id))
        if s.source_uid not in known_from]
    if not steps:
        return None
    return digest(dumps([[s.status, s.at.isoformat(timespec="microseconds"), s.note,
                          _decider(s, own)[0]] for s in steps]))


def _bad(reason: str) -> InputError:
    return InputError(_("The archive carries data this version cannot read ({reason}); "
                        "nothing was imported.").format(reason=reason))


def _parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=None)


def merge_history(session: Session, rec: Recommendation, steps: list[dict[str, Any]],
                  source_uid: str) -> int:
    """Add the steps of ``steps`` that ``rec`` lacks; the latest step sets its status.

    A step is the same step by (status, time, note) whichever way it came; a step held
    without its decider (received before deciders travelled) takes the one that comes now.
    """
    have = {(s.status, s.at, s.note): s for s in session.scalars(
        select(RecommendationStatus).where(RecommendationStatus.recommendation_id == rec.id))}
    added = 0
    for step in steps:
        try:
            status, at = str(step["status"]), _parse_at(str(step["at"]))
            author, note = str(step.get("author", ""))[:120], str(step.get("note", ""))
            committee_uid = str(step.get("committee_uid", ""))[:36]
            committee_name = str(step.get("committee_name", ""))[:200]
        except (KeyError, ValueError, TypeError, AttributeError):
            raise _bad(_("a status step")) from None
        if status not in recommendations.STATUSES:
            raise _bad(_("unknown status {status}").format(status=status[:20]))
        held = have.get((status, at, note))
        if held is not None:
            if committee_uid and not held.committee_uid and held.source_uid:
                held.committee_uid, held.committee_name = committee_uid, committee_name
            continue
        row = RecommendationStatus(recommendation_id=rec.id, status=status, at=at,
                                   author=author, note=note, source_uid=source_uid,
                                   committee_uid=committee_uid, committee_name=committee_name)
        session.add(row)
        have[(status, at, note)] = row
        added += 1
    if added:
        session.flush()
        last = session.scalars(select(RecommendationStatus).where(
            RecommendationStatus.recommendation_id == rec.id).order_by(
                RecommendationStatus.at.desc(), RecommendationStatus.id.desc()).limit(1)).one()
        rec.status, rec.status_at, rec.updated_at = last.status, last.at, datetime.now()
    return added


def import_session(session: Session, document: dict[str, Any], *, origin_uid: str,
                   origin_name: str, via: Committee, archive_id: int,
                   packet_sha256: str) -> tuple[bool, int]:
    """Store another committee's session and its recommendations; (changed, recommendations)."""
    try:
        if document.get("format") != SESSION_FORMAT:
            raise ValueError("format")
        uid = str(document["uid"])
        if document["committee"]["uid"] != origin_uid:
            raise _bad(_("a session signed by one committee but said to be another's"))
        label, on = str(document["label"])[:200], date.fromisoformat(str(document["date"]))
        state, recs = str(document["state"])[:20], list(document["recommendations"])
    except (KeyError, ValueError, TypeError):
        raise _bad(_("a session")) from None
    own_uids = set(session.scalars(select(Committee.uid).where(Committee.relation == "self")))
    if origin_uid in own_uids:
        raise _bad(_("a session of this very committee"))
    data = dumps(document)
    content_hash = digest(data)
    now = datetime.now()
    row = session.scalar(select(ReceivedSession).where(ReceivedSession.uid == uid))
    if row is not None and row.origin_uid != origin_uid:
        raise _bad(_("a session already received from another committee"))
    changed = row is None or row.content_hash != content_hash or (
        bool(packet_sha256) and row.packet_sha256 != packet_sha256)
    if row is None:
        row = ReceivedSession(uid=uid, origin_uid=origin_uid, origin_name=origin_name[:200],
                              via_id=via.id, archive_id=archive_id, label=label, date=on,
                              state=state, content_hash=content_hash,
                              data=data.decode("utf-8"), packet_sha256=packet_sha256,
                              updated_at=now)
        session.add(row)
    elif changed:
        row.label, row.date, row.state, row.content_hash = label, on, state, content_hash
        row.data, row.archive_id, row.via_id, row.updated_at = (
            data.decode("utf-8"), archive_id, via.id, now)
        if packet_sha256:
            row.packet_sha256 = packet_sha256
    for rec_doc in recs:
        _import_recommendation(session, rec_doc, origin_uid, origin_name)
    if changed:
        journal.record(session, "exchange.session", f"meeting:{uid}",
                       {"origin": origin_uid, "label": label, "hash": content_hash,
                        "recommendations": len(recs), "via": via.uid})
    return changed, len(recs)


def _import_recommendation(session: Session, doc: dict[str, Any], origin_uid: str,
                           origin_name: str) -> None:
    try:
        uid = str(doc["uid"])
        fields = {
            "number": int(doc["number"]), "problem": str(doc["problem"]),
            "text": str(doc["text"]), "addressee": str(doc["addressee"])[:200],
            "follow_up_by": str(doc.get("follow_up_by", ""))[:200],
            "priority": str(doc["priority"])[:8],
            "deadline": date.fromisoformat(str(doc["deadline"])),
        }
        theme_label = str(doc.get("theme", ""))
        history = list(doc["history"])
    except (KeyError, ValueError, TypeError):
        raise _bad(_("a recommendation")) from None
    if not history:
        raise _bad(_("a recommendation without status"))
    rec = session.scalar(select(Recommendation).where(Recommendation.uid == uid))
    if rec is not None and rec.origin_uid != origin_uid:
        raise _bad(_("a recommendation that belongs to another committee"))
    theme = session.scalar(select(Theme).where(Theme.label_key == fold_key(theme_label))) \
        if theme_label else None
    now = datetime.now()
    first = history[0]
    if rec is None:
        try:
            at = _parse_at(str(first["at"]))
            status = str(first["status"])
        except (KeyError, ValueError, TypeError):
            raise _bad(_("a status step")) from None
        rec = Recommendation(uid=uid, meeting_id=None, agenda_item_id=None,
                             addressee_key=fold(fields["addressee"]),
                             theme_id=theme.id if theme else None, place_id=None,
                             origin_uid=origin_uid, origin_name=origin_name[:200],
                             status=status, status_at=at, created_at=now, updated_at=now,
                             **fields)
        session.add(rec)
        session.flush()
    else:
        for name, value in fields.items():
            setattr(rec, name, value)
        rec.addressee_key = fold(fields["addressee"])
        rec.theme_id = theme.id if theme else rec.theme_id
    merge_history(session, rec, history, origin_uid)
    recommendations._reindex(session, rec, None, theme)


def apply_decision(session: Session, document: dict[str, Any], source_uid: str,
                   allowed_origins: set[str] | None = None) -> bool:
    """Merge a decision into a recommendation we hold; False if unknown or nothing new.

    From above it may touch any recommendation we hold (ours, or one of a committee below us
    that came through us: it then travels further down). From a child (``allowed_origins``
    set) only the recommendations that came up through that child: a child does not decide
    on another branch's, nor on ours.
    """
    try:
        if document.get("format") != DECISION_FORMAT:
            raise ValueError("format")
        uid, history = str(document["uid"]), list(document["history"])
    except (KeyError, ValueError, TypeError):
        raise _bad(_("a decision")) from None
    rec = session.scalar(select(Recommendation).where(Recommendation.uid == uid))
    if rec is None:  # ours, or one of a committee below us that came through us
        return False
    if allowed_origins is not None and rec.origin_uid not in allowed_origins:
        raise InputError(_("This archive carries a follow-up decision on a recommendation "
                           "that did not come through its sender; nothing was imported."))
    previous = rec.status
    added = merge_history(session, rec, history, source_uid)
    if added:
        journal.record(session, "recommendation.status", f"recommendation:{rec.uid}",
                       {"from": previous, "to": rec.status, "steps": added,
                        "source": source_uid})
    return added > 0
