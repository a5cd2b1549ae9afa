"""``mail show``, ``mail set`` and ``mail test``: the SMTP settings on the command line.

The mail password never comes from an argument (it would stay in the shell history and be
visible in the process list): ``mail set --password`` reads it from ``CCSDESK_SMTP_PASSWORD``
or asks it twice on a terminal. It is stored sealed (``core/services/mail.py``) and never
printed: ``mail show`` only says whether one is stored. Sending itself is
``send --to X --mail`` (``exchange_commands``).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from ccsdesk.cli.context import Context
from ccsdesk.core.errors import InputError
from ccsdesk.core.exchange.transport import SECURITY_MODES
from ccsdesk.core.i18n import _

SMTP_PASSWORD_ENV = "CCSDESK_SMTP_PASSWORD"


def register(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser("mail", help=_("sending archives by e-mail (SMTP)"))
    commands = group.add_subparsers(dest="mail_command", required=True)
    show = commands.add_parser("show", help=_("the mail settings and each committee's "
                                              "address"))
    show.set_defaults(handler=run_show)
    change = commands.add_parser("set", help=_("change the mail settings"))
    change.add_argument("--server", metavar="HOST", help=_("the SMTP server, e.g. "
                                                           "smtp.orange.ml"))
    change.add_argument("--port", metavar="N", help=_("the port (587 STARTTLS, 465 SSL)"))
    change.add_argument("--security", choices=SECURITY_MODES,
                        help=_("how the connection is protected"))
    change.add_argument("--user", metavar="NAME", help=_("the user name for the login "
                                                         "(empty: no login)"))
    change.add_argument("--from", dest="sender", metavar="ADDRESS",
                        help=_("the sender address of the messages"))
    secret = change.add_mutually_exclusive_group()
    secret.add_argument("--password", action="store_true",
                        help=_("store the login password, read from {name} or typed twice; "
                               "it is kept encrypted").format(name=SMTP_PASSWORD_ENV))
    secret.add_argument("--forget-password", action="store_true",
                        help=_("remove the stored password"))
    change.add_argument("--address", action="append", default=[], metavar="TO=ADDRESS",
                        help=_("the address of « parent » or of a child (its id from "
                               "« committees list »); empty to remove; repeatable"))
    change.set_defaults(handler=run_set)
    test = commands.add_parser("test", help=_("connect and log in to the server; nothing is "
                                              "sent"))
    test.set_defaults(handler=run_test)


def _document(context: Context) -> tuple[dict[str, Any], str]:
    from ccsdesk.core.services import mail

    folder = context.folder()
    settings = mail.load(folder)
    peers = mail.peers(folder)
    security = {"starttls": "STARTTLS", "ssl": "SSL", "none": _("none")}
    lines = [
        _("Mail server: {server}").format(
            server=f"{settings.server}:{settings.port} ({security[settings.security]})"
            if settings.server else _("not set")),
        _("User name: {user}").format(user=settings.user or _("none (no login)")),
        _("Password: {state}").format(state=_("stored, encrypted") if settings.has_password
                                      else _("not stored")),
        _("Sender address: {address}").format(address=settings.sender or
                                              _("not given yet")),
    ]
    if not settings.configured:
        lines.append(_("Sending by e-mail is not set up yet (ccsdesk mail set --server HOST "
                       "--from ADDRESS)."))
    for peer in peers:
        relation = _("parent") if peer.relation == "parent" else _("child")
        key = "parent" if peer.relation == "parent" else str(peer.id)
        address = peer.address or _("no address")
        lines.append(f"{key:>6}  {relation:<8} {peer.name} : {address}")
    data = {"configured": settings.configured, "server": settings.server,
            "port": settings.port, "security": settings.security, "user": settings.user,
            "sender": settings.sender, "password_stored": settings.has_password,
            "committees": [{"id": p.id, "uid": p.uid, "relation": p.relation,
                            "name": p.name, "address": p.address} for p in peers]}
    return data, "\n".join(lines)


def run_show(context: Context, args: argparse.Namespace) -> int:
    context.emit(*_document(context))
    return 0


def _password() -> str:
    value = os.environ.get(SMTP_PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputError(_("The mail password is needed: set the environment variable "
                           "{name}.").format(name=SMTP_PASSWORD_ENV))
    value = getpass.getpass(_("Mail password: "))
    if getpass.getpass(_("Mail password again: ")) != value:
        raise InputError(_("The two passwords differ; nothing changed."))
    return value


def run_set(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import mail

    addresses: dict[str, str] = {}
    for item in args.address:
        to, sign, address = item.partition("=")
        if not sign or not to.strip():
            raise InputError(_("Give each address as TO=ADDRESS (parent=district@exemple.ml, "
                               "or a child's id: 3=commune@exemple.ml); « {value} » is not "
                               "one.").format(value=item))
        addresses[to.strip()] = address
    password = _password() if args.password else None
    mail.update(context.folder(), server=args.server, port=args.port, security=args.security,
                user=args.user, sender=args.sender, password=password,
                forget_password=args.forget_password, addresses=addresses)
    data, text = _document(context)
    context.emit(data, _("Mail settings saved.") + "\n" + text)
    return 0


def run_test(context: Context, args: argparse.Namespace) -> int:
    from ccsdesk.core.services import mail

    folder = context.folder()
    settings = mail.load(folder)
    typed = os.environ.get(SMTP_PASSWORD_ENV)
    needs_keys = bool(settings.user and settings.has_password and typed is None)
    mail.test_connection(folder, passphrase=context.passphrase() if needs_keys else None,
                         password=typed)
    context.emit({"ok": True, "server": settings.server, "port": settings.port,
                  "security": settings.security, "login": bool(settings.user)},
                 (_("Connection to {server} works and the login was accepted; nothing "
                    "was sent.") if settings.user else
                  _("Connection to {server} works; nothing was sent.")).format(
                     server=f"{settings.server}:{settings.port}"))
    return 0
