"""Channels, registered by the `type` of a subscription's channel: email
(SMTP), webhook (signed JSON), apprise (Telegram, Slack, Matrix, ...).

A channel either returns (delivered) or raises `DeliveryError` saying whether
trying again later can help. Channels whose receiver can drop duplicates by the
idempotency key are `safe_to_repeat`; email is not, so it reports the moment
after which the message may have been delivered (`point_of_no_return`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, ClassVar

import httpx

from monitor.alerts import render
from monitor.config import AppriseChannel, EmailChannel, SmtpSettings, WebhookChannel
from monitor.config.alerts import Channel as ChannelSpec

SIGNATURE_HEADER = "X-Monitor-Signature"


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel:
    type: ClassVar[str]
    safe_to_repeat: ClassVar[bool] = True

    async def send(
        self, payload: dict[str, Any], key: str, point_of_no_return: Callable[[], None]
    ) -> None:
        raise NotImplementedError


CHANNELS: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    CHANNELS[cls.type] = cls
    return cls


def _secret(env: str | None, what: str) -> str | None:
    if env is None:
        return None
    value = os.environ.get(env)
    if not value:
        raise DeliveryError(f"{what}: environment variable {env} is not set")
    return value


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as Stripe and GitHub do, so a
    receiver can refuse replays of old bodies."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@register
class Webhook(Channel):
    type = "webhook"

    def __init__(self, spec: WebhookChannel, **_: Any) -> None:
        self.spec = spec

    async def send(
        self, payload: dict[str, Any], key: str, point_of_no_return: Callable[[], None]
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "monitor-alerts/1",
            "X-Monitor-Event": str(payload.get("event")),
            "Idempotency-Key": key,
            "X-Monitor-Timestamp": timestamp,
        }
        secret = _secret(self.spec.secret_env, "webhook secret")
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
        try:
            async with httpx.AsyncClient(timeout=self.spec.timeout, trust_env=False) as client:
                response = await client.post(self.spec.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError(f"webhook timed out after {self.spec.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status < 300:
            return
        reason = f"webhook answered HTTP {status} {response.reason_phrase}"
        # 5xx and 429 are the far end's trouble; other 4xx will not change by waiting.
        raise DeliveryError(reason, retryable=status >= 500 or status in (408, 429))


def _dot_stuff(data: bytes) -> bytes:
    data = re.sub(rb"(?m)^\.", b"..", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


@register
class Email(Channel):
    type = "email"
    safe_to_repeat = False

    def __init__(self, spec: EmailChannel, smtp: SmtpSettings, **_: Any) -> None:
        self.spec, self.smtp = spec, smtp

    def message(self, payload: dict[str, Any], key: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = render.subject(payload)
        msg["From"] = self.smtp.from_address
        msg["To"] = ", ".join(self.spec.to)
        domain = self.smtp.from_address.rsplit("@", 1)[-1]
        msg["Message-ID"] = make_msgid(hashlib.sha1(key.encode()).hexdigest()[:16], domain)
        msg["X-Monitor-Idempotency-Key"] = key
        msg.set_content(render.text_body(payload))
        msg.add_alternative(render.html_body(payload), subtype="html")
        return msg

    def _send(self, msg: EmailMessage, point_of_no_return: Callable[[], None]) -> None:
        s = self.smtp
        password = _secret(s.password_env, "SMTP password")
        cls = smtplib.SMTP_SSL if s.security == "ssl" else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": s.timeout}
        if s.security == "ssl":
            kwargs["context"] = ssl.create_default_context()
        with cls(s.host, s.port, **kwargs) as smtp:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, password or "")
            code, reply = smtp.mail(
                s.from_address, ["SMTPUTF8"] if smtp.has_extn("smtputf8") else []
            )
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, s.from_address)
            refused = {}
            for rcpt in self.spec.to:
                code, reply = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, reply)
            if len(refused) == len(self.spec.to):
                raise smtplib.SMTPRecipientsRefused(refused)
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            smtp.send(_dot_stuff(msg.as_bytes()))
            # The server delivers only once it reads the final dot: from here on
            # a crash leaves us unsure, so say so before sending it.
            point_of_no_return()
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)

    async def send(
        self, payload: dict[str, Any], key: str, point_of_no_return: Callable[[], None]
    ) -> None:
        msg = self.message(payload, key)
        try:
            await asyncio.to_thread(self._send, msg, point_of_no_return)
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise DeliveryError(f"SMTP server refused: {exc.smtp_code} {text}") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"SMTP server refused every recipient: {exc.recipients}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"SMTP {self.smtp.host}:{self.smtp.port}: {type(exc).__name__}: {exc}"
            ) from None


@register
class Apprise(Channel):
    type = "apprise"

    def __init__(self, spec: AppriseChannel, **_: Any) -> None:
        self.spec = spec

    def _notify(self, title: str, body: str) -> bool:
        import apprise

        urls = _secret(self.spec.urls_env, "Apprise URLs") or ""
        app = apprise.Apprise()
        for url in urls.split():
            if not app.add(url):
                raise DeliveryError(
                    f"Apprise does not understand the URL in {self.spec.urls_env}", retryable=False
                )
        return bool(app.notify(title=title, body=body))

    async def send(
        self, payload: dict[str, Any], key: str, point_of_no_return: Callable[[], None]
    ) -> None:
        title = render.subject(payload)[:200]
        body = render.short_text(payload, self.spec.max_chars - len(title) - 1)
        if not await asyncio.to_thread(self._notify, title, body):
            raise DeliveryError("Apprise could not deliver (the service refused or is down)")


def channel_for(spec: ChannelSpec, smtp: SmtpSettings) -> Channel:
    """The channel class registered for the spec's `type`, built from it."""
    cls: Any = CHANNELS[spec.type]  # each class takes its own spec type
    return cls(spec, smtp=smtp)
