"""The load test's users (issue #14), run by `make load` (benchmarks/load.py) against gunicorn.

Case workers and employers log in as people do: the allauth login form, and for case workers the
code of the authenticator app (TOTP, computed here from the seeded key). Each simulated user takes
its own account, so that two users never present the same one-time code. Their tasks, by weight:
70 % lists and searches, 20 % detail pages, 10 % writes (each saves a form as the page shows it, or
takes a match decision, so that the save path and its rescoring run); besides these, every user
asks for the floor `/ping/` (a bare Django view through the same middleware) at a fixed share, so
that its time is measured under the same load.

The records to ask for come from a JSON file (LOAD_DATA) the runner writes after seeding: the
accounts, and ids a user may see (candidates, positions, pairs with a stored match, each
employer's positions, published jobs). Every request has a fixed name (the page, not its ids), the
name under which the runner reports it. The file imports no Django: locust runs in its own process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import random
import struct
import time
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import HttpUser, between, task

from benchmarks.load.pages import FLOOR

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text(encoding="utf-8")) if os.environ.get("LOAD_DATA") else {}
# The share of the floor in every user's requests (weight against the pages' 100).
PING_WEIGHT = 10
_case_worker_accounts = itertools.count()
_employer_accounts = itertools.count()
_logged_in = itertools.count(1)


def totp_code(secret: str, at: float | None = None, period: int = 30) -> str:
    """The six-digit code an authenticator app shows for the base32 `secret` (RFC 6238, SHA-1)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time() if at is None else at) // period
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


# With DEBUG off the portal marks its cookies Secure; the load test speaks plain HTTP to gunicorn on
# the loopback (where a TLS proxy would stand), so this process sends them over http too. On the class:
# requests merges every request's cookies into a new jar with a default policy.
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


class FormParser(HTMLParser):
    """The POST forms of a page with the values a browser would submit unchanged (inputs, checked
    boxes, selected options, text areas); submit buttons are left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._selected = self._multiple = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append((name, a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._select_first = name, None
            self._selected, self._multiple = False, "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form["fields"].append((self._select, value))
                self._selected = True
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea = name
            self._form["fields"].append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            # A single select with nothing marked sends its first option, as a browser does.
            if not self._selected and not self._multiple and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form and self._form["fields"]:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data.lstrip("\n") if not value else value + data)


def form_fields(html: str, action_contains: str = "") -> list[tuple[str, str]] | None:
    """The fields of the page's main POST form (the one with the most fields, or whose action
    contains `action_contains`), or None when there is none."""
    parser = FormParser()
    parser.feed(html)
    forms = [
        f for f in parser.forms if f["method"] == "post" and (not action_contains or action_contains in f["action"])
    ]
    forms = [f for f in forms if not any(skip in f["action"] for skip in ("setlang", "logout"))]
    if not forms:
        return None
    return max(forms, key=lambda f: len(f["fields"]))["fields"]


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def started(self) -> None:
        """After this user's login. When the last user has logged in, the figures start anew (LOAD_STEADY
        set, as `make load` does but for the smoke test's tour): they are the steady state, without the
        logins (PBKDF2, 0.3–2 s each, holds a gunicorn worker) that locust's own --reset-stats would
        still count, since it resets once the users are spawned, while their logins are under way."""
        runner = self.environment.runner
        if next(_logged_in) == runner.target_user_count and os.environ.get("LOAD_STEADY"):
            runner.stats.reset_all()
        self.tour()

    def tour(self) -> None:
        """With LOAD_TOUR set (the smoke test's short run), open each page of this user once, in
        order, right after the login; then the weighted choice goes on."""
        if os.environ.get("LOAD_TOUR"):
            for task_function in dict.fromkeys(self.tasks):
                task_function(self)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", default="")

    def log_in(self, email: str, totp_secret: str | None) -> None:
        self.client.get("/accounts/login/", name="login (GET form)")
        with self.client.post(
            "/accounts/login/",
            data={"login": email, "password": DATA["password"], "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="login (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {email} answered {response.status_code}")
                return
            response.success()
            target = response.headers.get("Location", "")
        if "2fa" not in target:
            return
        for _attempt in range(3):
            with self.client.post(
                "/accounts/2fa/authenticate/",
                data={"code": totp_code(totp_secret), "csrfmiddlewaretoken": self.csrf()},
                allow_redirects=False,
                name="login (POST code)",
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    response.success()
                    return
                # The code was taken in this period (another user on the same account): the next one.
                response.success()
            time.sleep(30 - time.time() % 30 + 0.5)
        raise RuntimeError(f"the second factor of {email} was refused three times")

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure(f"{path} sent to the login page")
            return response.text or ""

    def save_form(self, path: str, name: str, action_contains: str = "") -> None:
        """Open the edit page and post its form back as shown: the save path (validation, the
        service, audit, rescoring) runs; a 302 means it was saved."""
        html = self.page(path, f"{name} (GET form)")
        fields = form_fields(html, action_contains)
        if fields is None:
            return
        with self.client.post(
            path, data=fields, allow_redirects=False, name=f"{name} (POST)", catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{path} answered {response.status_code}, not a redirect after saving")

    @task(PING_WEIGHT)
    def floor(self) -> None:
        self.page("/ping/", FLOOR)


class CaseWorker(PortalUser):
    weight = 3

    def on_start(self) -> None:
        accounts = DATA["case_workers"]
        self.log_in(accounts[next(_case_worker_accounts) % len(accounts)], DATA["totp_secret"])
        self.started()

    # Lists and searches: 70.
    @task(12)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")

    @task(12)
    def candidate_list(self) -> None:
        self.page("/candidates/", "candidates: list")

    @task(10)
    def candidate_search(self) -> None:
        self.page("/candidates/?q=Pflege", "candidates: search q=Pflege")

    @task(8)
    def candidate_filter(self) -> None:
        self.page("/candidates/?status=active&ordering=-changed", "candidates: filter")

    @task(10)
    def overview(self) -> None:
        self.page("/dashboard/matches/", "matches: overview")

    @task(8)
    def allocation(self) -> None:
        self.page("/dashboard/allocation/", "allocation")

    @task(10)
    def introductions(self) -> None:
        self.page("/dashboard/introductions/", "introductions: list")

    # Detail pages: 20.
    @task(5)
    def candidate_detail(self) -> None:
        self.page(f"/candidates/{random.choice(DATA['candidates'])}/", "candidate: detail")

    @task(4)
    def position_matches(self) -> None:
        self.page(f"/dashboard/positions/{random.choice(DATA['positions'])}/matches/", "position: matches")

    @task(4)
    def candidate_matches(self) -> None:
        self.page(f"/dashboard/candidates/{random.choice(DATA['candidates'])}/matches/", "candidate: matches")

    @task(7)
    def explanation(self) -> None:
        candidate, position = random.choice(DATA["pairs"])
        self.page(f"/dashboard/explain/{candidate}/{position}/", "explanation")

    # Writes: 10.
    @task(5)
    def candidate_edit(self) -> None:
        self.save_form(
            f"/candidates/{random.choice(DATA['candidates'])}/edit/perspective/", "write: candidate edit", "/edit/"
        )

    @task(5)
    def match_decision(self) -> None:
        candidate, position = random.choice(DATA["pairs"])
        # Shortlist, or take a shortlisting back: the decisions stay bounded over a long run.
        action = random.choice(("shortlist", "undo"))
        with self.client.post(
            f"/dashboard/decide/{candidate}/{position}/",
            data={"action": action, "csrfmiddlewaretoken": self.csrf()},
            allow_redirects=False,
            name="write: match decision (POST)",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"the decision answered {response.status_code}")


class Employer(PortalUser):
    weight = 1

    def on_start(self) -> None:
        accounts = DATA["employers"]
        self.account = accounts[next(_employer_accounts) % len(accounts)]
        self.log_in(self.account["email"], None)
        self.started()

    def own_position(self) -> int:
        return random.choice(self.account["positions"])

    # Lists: 70.
    @task(30)
    def positions(self) -> None:
        self.page("/employer/positions/", "employer: positions")

    @task(20)
    def introductions(self) -> None:
        self.page("/employer/introductions/", "employer: introductions")

    @task(20)
    def jobs(self) -> None:
        self.page("/jobs/", "jobs: list")

    # Detail pages: 20.
    @task(12)
    def position_detail(self) -> None:
        self.page(f"/employer/positions/{self.own_position()}/", "employer: position detail")

    @task(8)
    def job_detail(self) -> None:
        self.page(f"/jobs/{random.choice(DATA['jobs'])}/", "jobs: detail")

    # Writes: 10.
    @task(10)
    def position_edit(self) -> None:
        self.save_form(f"/employer/positions/{self.own_position()}/edit/", "write: position edit")
