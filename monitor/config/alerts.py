"""Models of themes, subscriptions and alert channels.

Secrets never live in `sources.yaml`: fields ending in `_env` name the
environment variable that holds them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.config.types import Duration, HttpUrl

SIGNIFICANCE = ("trivial", "minor", "moderate", "major")
EVENTS = ("new", "changed", "removed", "restored", "diverged")


class ThemeSpec(BaseModel):
    """A theme: weighted terms in ru/kk/en (syntax of monitor/morph.py) and
    exclusions, phrases whose words must not count (false friends)."""

    model_config = ConfigDict(extra="forbid")

    label: str
    label_ru: str | None = None
    label_kk: str | None = None
    terms: dict[str, float] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)
    threshold: float = Field(default=2.0, gt=0)


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password_env: str | None = None  # name of the variable holding the password
    from_address: str = "monitor@localhost"
    timeout: Duration = 30.0


class EmailChannel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["email"]
    to: list[str] = Field(min_length=1)

    @field_validator("to")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        for v in values:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+", v):
                raise ValueError(f"{v!r} is not an email address")
        return values


class WebhookChannel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook"]
    url: HttpUrl
    secret_env: str | None = None  # variable holding the HMAC-SHA256 secret
    timeout: Duration = 10.0


class AppriseChannel(BaseModel):
    """Telegram, Slack, Matrix and the rest, through Apprise URLs (tgram://…)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["apprise"]
    urls_env: str  # variable holding the Apprise URL(s): they embed tokens
    max_chars: int = Field(default=4096, ge=200)  # Telegram's limit by default


Channel = EmailChannel | WebhookChannel | AppriseChannel


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[str] = Field(default_factory=list)  # empty: any theme (or none)
    sources: list[str] = Field(default_factory=list)
    kind: list[Literal["official", "media"]] = Field(default_factory=list)
    country: list[Literal["RU", "KZ", "other"]] = Field(default_factory=list)
    # "diverged": copies of one text in a family part ways (monitor/cycle/families.py)
    events: list[Literal["new", "changed", "removed", "restored", "diverged"]] = Field(
        default_factory=lambda: ["new", "changed", "removed", "restored", "diverged"]  # type: ignore[arg-type]
    )
    # "moderate": typos, word forms and renumbered points (minor or trivial) stay
    # quiet; a number, date, name, modal, negation, word or clause changed alerts.
    min_significance: Literal["trivial", "minor", "moderate", "major"] = "moderate"


class Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[\w.-]+$", max_length=64)
    channel: Channel = Field(discriminator="type")
    filters: Filters = Field(default_factory=Filters)
    mode: Literal["immediate", "hourly", "daily"] = "immediate"


class AlertSettings(BaseModel):
    """Delivery: retries with exponential backoff, and the operator's own alerts."""

    model_config = ConfigDict(extra="forbid")

    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    web_url: str = "http://127.0.0.1:8080"  # links to the web UI in alerts
    max_attempts: int = Field(default=12, ge=1)
    backoff_base: Duration = 30.0
    backoff_max: Duration = 3600.0
    # the operator is told when a source fails, the schedule stalls, or alerts
    # stay undeliverable for longer than these
    operator: Channel | None = Field(default=None, discriminator="type")
    source_failing_after: Duration = 6 * 3600.0
    undeliverable_after: Duration = 3600.0

    @model_validator(mode="after")
    def _backoff(self) -> AlertSettings:
        if self.backoff_max < self.backoff_base:
            raise ValueError("backoff_max must not be below backoff_base")
        return self
