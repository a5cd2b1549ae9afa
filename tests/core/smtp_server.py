"""A small real SMTP server on 127.0.0.1 for the mail tests (standard library only).

It speaks enough of RFC 5321 for ``smtplib``: EHLO/HELO, AUTH PLAIN and LOGIN, optional
STARTTLS (with a certificate the test made), MAIL/RCPT/DATA with dot-unstuffing, RSET, NOOP,
QUIT; several connections at once. It keeps what it received so a test can compare the
attachment with the archive, and every line it read so a test can hunt for the password.
"""

from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    """One message as the server took it."""

    sender: str
    recipients: list[str]
    data: bytes


@dataclass
class MailServer:
    """``MailServer(user, password).start()``; ``port``, ``messages``, ``logins``, ``stop()``.

    ``password=None`` offers no AUTH at all; ``tls`` (a server context) offers STARTTLS;
    ``refuse_data`` answers the message itself with 554 (too big), after a good login.
    """

    user: str = ""
    password: str | None = None
    tls: ssl.SSLContext | None = None
    refuse_data: bool = False
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    port: int = 0

    def start(self) -> MailServer:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._session(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- one connection ------------------------------------------------------------------

    def _session(self, handler: socketserver.StreamRequestHandler) -> None:
        reader, writer = handler.rfile, handler.wfile
        connection = handler.connection

        def say(text: str) -> None:
            writer.write(text.encode("ascii") + b"\r\n")
            writer.flush()

        def read() -> bytes:
            line = reader.readline()
            self.lines.append(line)
            return line

        say("220 courrier.test ESMTP")
        sender, recipients, authenticated = "", [], False
        while line := read():
            verb = line[:4].upper().strip()
            argument = line[5:].strip().decode("ascii", "replace") if len(line) > 5 else ""
            if verb in (b"EHLO", b"HELO"):
                say("250-courrier.test")
                if self.tls is not None:
                    say("250-STARTTLS")
                if self.password is not None:
                    say("250-AUTH PLAIN LOGIN")
                say("250 8BITMIME")
            elif verb == b"STAR" and self.tls is not None:
                say("220 go ahead")
                try:
                    connection = self.tls.wrap_socket(connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate
                reader = connection.makefile("rb")
                writer = connection.makefile("wb")
            elif verb == b"AUTH":
                mechanism, _, initial = argument.partition(" ")
                if mechanism.upper() == "PLAIN":
                    if not initial:
                        say("334 ")
                        initial = read().strip().decode("ascii")
                    _zid, user, secret = base64.b64decode(initial).decode().split("\0")
                else:
                    say("334 VXNlcm5hbWU6")
                    user = base64.b64decode(read().strip()).decode()
                    say("334 UGFzc3dvcmQ6")
                    secret = base64.b64decode(read().strip()).decode()
                if user == self.user and secret == self.password:
                    authenticated = True
                    self.logins.append(user)
                    say("235 2.7.0 Authentication successful")
                else:
                    say("535 5.7.8 Authentication credentials invalid")
            elif verb == b"MAIL":
                if self.password is not None and not authenticated:
                    say("530 5.7.0 Authentication required")
                    continue
                sender, recipients = argument.split(":", 1)[1].split()[0].strip("<>"), []
                say("250 OK")
            elif verb == b"RCPT":
                recipients.append(argument.split(":", 1)[1].strip().strip("<>"))
                say("250 OK")
            elif verb == b"DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                body = bytearray()
                while (chunk := reader.readline()) not in (b".\r\n", b""):
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                if self.refuse_data:
                    say("554 5.3.4 Message too big for system")
                    continue
                self.messages.append(Received(sender, recipients, bytes(body)))
                say("250 OK queued")
            elif verb == b"QUIT":
                say("221 bye")
                return
            elif verb in (b"RSET", b"NOOP"):
                say("250 OK")
            else:
                say("502 not implemented")
