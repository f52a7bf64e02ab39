"""Plain-text e-mail through SMTP: a message, and sending a batch over one connection. A refused message or an
unreachable server is logged and the rest goes on; nothing here raises to the caller."""
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Server:
    host: str
    port: int = 587
    user: str = ""
    password: str = ""
    starttls: bool = True
    ssl: bool = False  # TLS from the first byte (port 465)
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config):
        return cls(host=config["MAIL_HOST"], port=config["MAIL_PORT"], user=config["MAIL_USER"],
                   password=config["MAIL_PASSWORD"], starttls=config["MAIL_STARTTLS"], ssl=config["MAIL_SSL"])


def _line(text):
    return " ".join(str(text).split())  # a header is one line: no injected headers from a name or a note


def message(sender, sender_name, to, to_name, subject, body):
    mail = EmailMessage()
    mail["From"] = formataddr((_line(sender_name), sender))
    mail["To"] = formataddr((_line(to_name), to))
    mail["Subject"] = _line(subject)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
    mail.set_content(body)
    return mail


def send(server, messages):
    """Send each message over one connection; returns how many the server accepted."""
    if not server.host or not messages:
        return 0
    sent = 0
    try:
        if server.ssl:
            connection = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        with connection:
            if server.starttls and not server.ssl:
                connection.starttls(context=ssl.create_default_context())
            if server.user:
                connection.login(server.user, server.password)
            for mail in messages:
                try:
                    connection.send_message(mail)
                    sent += 1
                except smtplib.SMTPServerDisconnected:
                    raise
                except smtplib.SMTPException as error:  # this recipient or this message refused: the others go on
                    log.warning("mail to %s not sent: %s", mail["To"], error)
    except OSError as error:  # unreachable, TLS or login failed, disconnected (smtplib's errors are OSErrors)
        log.warning("mail server %s:%s: %s; %d of %d message(s) not sent", server.host, server.port, error,
                    len(messages) - sent, len(messages))
    return sent
