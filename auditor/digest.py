"""Morning digests: one message per department, listing only its new problems and fixes.

Nothing is sent when nothing changed for a department. E-mail goes over SMTP (plain,
STARTTLS or SSL, with optional login; the password comes from the environment); a JSON
webhook gets the same content as data. Sending is retried with backoff and every failure
is logged: the run's results are stored before any digest is attempted, so a mail server
that is down never loses a run.
"""

from __future__ import annotations

import logging
import os
import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from typing import Any

from auditor.redact import remember
from auditor.store.diff import Diff, Problem

log = logging.getLogger("auditor.digest")


@dataclass
class Digest:
    """What one department is told."""

    department: str
    portal: str
    emails: tuple[str, ...]
    webhook: str | None
    new: list[Problem]
    fixed: list[Problem]
    fixes: Mapping[str, str] = field(default_factory=dict)  # check id -> how to fix
    carried: int = 0  # changes from earlier nights whose digest was not delivered
    since: str | None = None  # the first of those nights
    missed: tuple[str, ...] = ()  # runs since the previous one that did not complete: "<started> (<status>)"

    @property
    def channels(self) -> list[str]:
        """How this digest goes out: "email", "webhook" or both."""
        return [c for c, on in (("email", bool(self.emails)), ("webhook", bool(self.webhook))) if on]

    def by(self, channel: str) -> Digest:
        """This digest for one channel only: each channel keeps its own undelivered changes."""
        return replace(self, emails=self.emails if channel == "email" else (),
                       webhook=self.webhook if channel == "webhook" else None)

    def kept(self) -> dict[str, Any]:
        """What the store keeps when this digest could not be delivered."""
        return {"new": [p.as_dict() for p in self.new], "fixed": [p.as_dict() for p in self.fixed]}

    def carry(self, earlier: Mapping[str, Any], since: str) -> Digest:
        """This digest with the changes of an undelivered earlier one folded in.

        A problem that appeared and was fixed (or was fixed and came back) between two
        deliveries cancels out: the department was never told the first half.
        """
        state: dict[tuple[str, str, str], tuple[str, Problem]] = {}
        for kind in ("new", "fixed"):
            for item in earlier.get(kind) or []:
                problem = Problem.from_dict(item)
                state[problem.key] = (kind, problem)
        for kind, problems in (("new", self.new), ("fixed", self.fixed)):
            for problem in problems:
                was = state.get(problem.key)
                if was is not None and was[0] != kind:
                    del state[problem.key]
                else:
                    state[problem.key] = (kind, problem)
        tonight = {p.key for p in (*self.new, *self.fixed)}
        carried = sum(1 for key in state if key not in tonight)

        def of(kind: str) -> list[Problem]:
            return sorted((p for k, p in state.values() if k == kind), key=lambda p: p.key)

        return replace(self, new=of("new"), fixed=of("fixed"), carried=carried, since=since)

    @property
    def subject(self) -> str:
        """The e-mail subject line."""
        return (f"[{self.portal}] {self.department}: {len(self.new)} new data problem"
                f"{'s' if len(self.new) != 1 else ''}, {len(self.fixed)} fixed")

    def text(self) -> str:
        """The plain-text body."""
        lines = [f"Open data audit of {self.portal}, {self.department}.", ""]
        if self.missed:
            lines += [f"Audits that did not complete since the previous run: {', '.join(self.missed)}. "
                      "What they would have found is in this digest if it is still there.", ""]
        if self.carried:
            lines += [f"This digest also carries {self.carried} change{'s' if self.carried != 1 else ''} from "
                      f"runs since {self.since} whose digest could not be delivered.", ""]
        if self.new:
            lines.append("New problems (how to fix each is below it):")
            for p in self.new:
                lines.append(f"  - {p.title or p.dataset_id} ({p.dataset_id}): {p.message}")
                lines.append(f"    check {p.check}{' on ' + p.resource if p.resource else ''}")
                if self.fixes.get(p.check):
                    lines.append(f"    fix: {self.fixes[p.check]}")
            lines.append("")
        if self.fixed:
            lines.append("Fixed since the previous run, thank you:")
            for p in self.fixed:
                lines.append(f"  - {p.title or p.dataset_id} ({p.dataset_id}): {p.check}")
            lines.append("")
        lines.append("Sent by portal-auditor after the nightly run.")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """The webhook body."""
        def item(p: Problem) -> dict[str, Any]:
            return {**p.as_dict(), "fix": self.fixes.get(p.check, "")}

        return {"schema": "auditor-digest/1", "portal": self.portal, "department": self.department,
                "new_problems": [item(p) for p in self.new], "fixed_problems": [item(p) for p in self.fixed],
                "carried": self.carried, "undelivered_since": self.since, "missed_runs": list(self.missed)}


def build_digests(diff: Diff, portal: str, owners: Mapping[str, Any], fixes: Mapping[str, str]) -> list[Digest]:
    """One digest per department with changes; ``owners`` maps departments to Owner entries.

    An owner named ``"*"`` receives the digests of departments nobody owns.
    """
    out = []
    for department, groups in diff.departments().items():
        digest = owner_digest(department, portal, owners, fixes, groups["new"], groups["fixed"])
        if digest is not None:
            out.append(digest)
    return out


def owner_digest(department: str, portal: str, owners: Mapping[str, Any], fixes: Mapping[str, str],
                 new: list[Problem] | None = None, fixed: list[Problem] | None = None) -> Digest | None:
    """The digest for ``department``'s owner, or None when nobody owns it."""
    owner = owners.get(department) or owners.get("*")
    if owner is None:
        log.info("no owner configured for %s: its digest is not sent", department)
        return None
    return Digest(department=department, portal=portal, emails=tuple(owner.emails), webhook=owner.webhook,
                  new=list(new or []), fixed=list(fixed or []), fixes=fixes)


def _retry(what: str, attempt: Callable[[], None], retries: int, backoff: float = 1.0) -> bool:
    for n in range(retries + 1):
        try:
            attempt()
            return True
        except Exception as exc:  # noqa: BLE001 - every delivery failure is logged, none is fatal
            log.warning("%s failed (attempt %d of %d): %s", what, n + 1, retries + 1, exc)
            if n < retries:
                time.sleep(backoff * (2**n))
    log.error("%s gave up after %d attempts", what, retries + 1)
    return False


def send_email(digest: Digest, notify: Any, *, backoff: float = 1.0) -> bool:
    """Deliver by SMTP; True when the server accepted it."""
    if not digest.emails or not notify or not notify.smtp_host:
        return False
    message = EmailMessage()
    message["From"] = notify.sender
    message["To"] = ", ".join(digest.emails)
    message["Subject"] = digest.subject
    message.set_content(digest.text())
    password = os.environ.get(notify.password_env, "") if notify.password_env else ""
    if notify.password_env and not password:
        # Never log in with an empty password because a variable is missing: say so instead.
        log.error("e-mail digest for %s not sent: the SMTP password variable %s is not set", digest.department,
                  notify.password_env)
        return False
    remember(password, *_auth_forms(notify.username or "", password))

    def attempt() -> None:
        cls = smtplib.SMTP_SSL if notify.ssl else smtplib.SMTP
        with cls(notify.smtp_host, notify.smtp_port, timeout=30) as smtp:
            if notify.starttls and not notify.ssl:
                smtp.starttls()
            if notify.username:
                smtp.login(notify.username, password)
            smtp.send_message(message)

    return _retry(f"e-mail digest for {digest.department}", attempt, notify.retries, backoff)


def _auth_forms(username: str, password: str) -> tuple[str, ...]:
    """The encoded forms SMTP login sends the password in: a server that echoes its AUTH
    exchange in an error must not put them in the log."""
    if not password:
        return ()
    import base64

    def b64(raw: str) -> str:
        return base64.b64encode(raw.encode("utf-8")).decode("ascii")

    return (b64(f"\0{username}\0{password}"), b64(password))  # AUTH PLAIN, AUTH LOGIN


def send_webhook(digest: Digest, post: Callable[[str, dict[str, Any]], int], retries: int = 3,
                 *, backoff: float = 1.0) -> bool:
    """POST the JSON payload; True on a 2xx answer."""
    if not digest.webhook:
        return False
    url = digest.webhook

    def attempt() -> None:
        status = post(url, digest.payload())
        if not 200 <= status < 300:
            raise RuntimeError(f"HTTP {status}")

    return _retry(f"webhook digest for {digest.department}", attempt, retries, backoff)
