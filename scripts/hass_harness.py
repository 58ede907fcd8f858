"""A real Home Assistant with this integration, and the simulator, in their own config directory.

One piece of machinery for everything that runs a real Home Assistant process: the development
launcher (``scripts/dev_run.py``), the newest-release smoke run (``tests/live``) and the browser
journeys (``tests/e2e``, ``scripts/screenshots``). It

- starts the simulator and Home Assistant as child processes, each in its own process group and
  bound to die with the process that started it, and stops both groups (SIGTERM, then SIGKILL)
  whatever happened: no process is left behind;
- moves Home Assistant to the port asked for: since 2026.11 Home Assistant keeps its HTTP
  settings in ``.storage/http`` (``http:`` in YAML is migrated once, then ignored): a new config
  directory takes the ``SETUP_PORT`` variable, an existing one gets its stored port changed;
- skips the onboarding step that creates Home Assistant's default integrations (weather, radio,
  text-to-speech, shopping list): they reach the internet and log errors that are not ours;
- onboards the owner account, logs in, creates an API-key entry bound to the simulator and
  connects the simulator's webhook to it, all through Home Assistant's own HTTP and websocket
  APIs (never by reading its storage);
- optionally runs a second simulator, CALLR's, creates a CALLR entry bound to it, sets a webhook
  secret in that entry's options and subscribes the simulator's signed webhooks to the entry;
- reads Home Assistant's log back for warnings and errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import ctypes
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import IO, Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "smsmobileapi"
CONFIGURATION_TEMPLATE = ROOT / "config" / "configuration.yaml"
CREDENTIALS_FILE = ".dev-credentials.json"
DEMO_API_KEY = "demo-api-key"
DEMO_CALLR_LOGIN = "demo"
DEMO_CALLR_PASSWORD = "demo-password"  # noqa: S105 - the local simulator's demo account
CALLR_BASE_PATH = "/rest/v1.1"
CALLR_WEBHOOK_TYPES = ("sms.mo", "sms.mt.status_update")
PROVIDER_SMSMOBILEAPI = "SMSMobileAPI"
PROVIDER_CALLR = "CALLR"
"""Provider names as the options flow of an entry states them (its ``provider`` placeholder)."""
WEBHOOK_PATH = re.compile(r"/api/webhook/(?P<webhook_id>[A-Za-z0-9_-]+)")
OWNER_USERNAME = "dev"
OWNER_NAME = "Developer"
RESTART_EXIT_CODE = 100
"""Home Assistant exits with this code when asked to restart (Settings > System > Restart)."""
STOP_TIMEOUT = 30.0
"""Seconds a child gets to stop after SIGTERM before its whole process group is killed."""
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Onboarding steps that only configure defaults: the "core_config" step creates the entries of
# google_translate, met, radio_browser and shopping_list. Marked done before the first start, they
# never run.
ONBOARDING_STORAGE_VERSION = 4
SKIPPED_ONBOARDING_STEPS = ("core_config", "analytics", "integration")
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?:[+-]\d\d:?\d\d|Z)? "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) \((?P<thread>[^)]*)\) "
    r"\[(?P<logger>[^\]]+)\] (?P<message>.*)$"
)
_PR_SET_PDEATHSIG = 1


class HarnessError(RuntimeError):
    """A step of starting or driving Home Assistant failed; the message says which and why."""


def free_port() -> int:
    """Return a TCP port that is free on loopback right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send SIGTERM to this child when the process that started it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """A child process in its own process group; :meth:`stop` ends the whole group."""

    def __init__(
        self, name: str, args: list[str], env: Mapping[str, str], output: Path | None
    ) -> None:
        """Start ``args``; its output goes to ``output`` (appended) or to our own stdout."""
        self.name = name
        self._log: IO[bytes] | None = output.open("ab") if output is not None else None
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            args,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log is not None else None,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - nothing else works if we are killed
        )

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has ended, else ``None``."""
        return self.process.poll()

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Stop the process and everything it started; returns its exit status."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
        # Grandchildren (pip, uv, ffmpeg...) may outlive their parent: end the group anyway.
        self._signal_group(signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.process.returncode

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)


@dataclass(frozen=True, slots=True)
class Owner:
    """The owner account made by onboarding."""

    username: str
    password: str


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One line of ``home-assistant.log`` (continuation lines such as tracebacks are dropped)."""

    level: str
    logger: str
    message: str

    def __str__(self) -> str:
        """As in the log."""
        return f"{self.level} [{self.logger}] {self.message}"


def read_log(path: Path) -> list[LogRecord]:
    """Parse a Home Assistant log file; a missing file has no records."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(errors="replace").splitlines():
        match = LOG_LINE.match(line)
        if match:
            records.append(LogRecord(match["level"], match["logger"], match["message"]))
    return records


def log_problems(
    records: list[LogRecord], *, levels: frozenset[str], logger_prefix: str = ""
) -> list[LogRecord]:
    """The records of the given levels whose logger starts with ``logger_prefix``."""
    return [r for r in records if r.level in levels and r.logger.startswith(logger_prefix)]


def prepare_config(config_dir: Path, ha_port: int) -> None:
    """Give a config directory the development configuration and port; if new, skip defaults.

    Home Assistant must not be running on it.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    configuration = config_dir / "configuration.yaml"
    if not configuration.exists():
        shutil.copyfile(CONFIGURATION_TEMPLATE, configuration)
    storage = config_dir / ".storage"
    _set_stored_port(storage / "http", ha_port)
    onboarding = storage / "onboarding"
    if onboarding.exists() or (storage / "auth").exists():
        return  # started before: Home Assistant owns its storage now
    storage.mkdir(exist_ok=True)
    onboarding.write_text(
        json.dumps(
            {
                "version": ONBOARDING_STORAGE_VERSION,
                "minor_version": 1,
                "key": "onboarding",
                "data": {"done": list(SKIPPED_ONBOARDING_STEPS)},
            }
        )
    )


def _set_stored_port(http_store: Path, port: int) -> None:
    """Change the port of the HTTP settings Home Assistant saved (the confirmed and the pending)."""
    if not http_store.exists():
        return  # a first start takes SETUP_PORT
    stored = json.loads(http_store.read_text())
    changed = False
    for slot in ("stable", "pending"):
        settings = stored["data"].get(slot)
        if settings is not None and settings.get("server_port") != port:
            settings["server_port"] = port
            changed = True
    if changed:
        http_store.write_text(json.dumps(stored, indent=2))


@dataclass(frozen=True, slots=True)
class EntryWebhook:
    """An entry of the integration, its provider and the URL of its webhook on loopback."""

    entry_id: str
    provider: str
    url: str


@dataclass
class Stack:
    """Home Assistant and simulators for one config directory.

    The SMSMobileAPI simulator runs unless ``sim_port`` is None, CALLR's when ``callr_port`` is
    set.

    Use it as a context manager, or call :meth:`start` and, in a ``finally``, :meth:`stop`.
    """

    config_dir: Path
    ha_port: int = field(default_factory=free_port)
    sim_port: int | None = field(default_factory=free_port)
    api_key: str = DEMO_API_KEY
    callr_port: int | None = None
    """The port of CALLR's simulator; ``None``: no CALLR simulator."""
    callr_login: str = DEMO_CALLR_LOGIN
    callr_password: str = DEMO_CALLR_PASSWORD
    demo: bool = False
    """Seed the simulators with demo phones and messages and keep adding some."""
    seed: int | None = None
    output: Path | None = None
    """Where the children's console output goes (appended); ``None``: our own stdout."""
    skip_pip: bool = True
    """Start Home Assistant with ``--skip-pip``: everything must be installed already."""
    python: str = sys.executable
    hass: Child | None = field(default=None, init=False)
    simulator: Child | None = field(default=None, init=False)
    callr_simulator: Child | None = field(default=None, init=False)

    @property
    def ha_url(self) -> str:
        """Home Assistant's base URL on loopback."""
        return f"http://127.0.0.1:{self.ha_port}"

    @property
    def client_id(self) -> str:
        """The OAuth client id of our logins (the frontend's, on this port)."""
        return f"http://127.0.0.1:{self.ha_port}/"

    @property
    def sim_url(self) -> str:
        """The simulator's base URL (the entry's server URL)."""
        if self.sim_port is None:
            raise HarnessError("this stack runs no simulator")
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def callr_root(self) -> str:
        """The root URL of CALLR's simulator (its control routes are ``/_sim/...`` below it)."""
        if self.callr_port is None:
            raise HarnessError("this stack runs no CALLR simulator")
        return f"http://127.0.0.1:{self.callr_port}"

    @property
    def callr_url(self) -> str:
        """The base URL of CALLR's simulated API (a CALLR entry's server URL)."""
        return f"{self.callr_root}{CALLR_BASE_PATH}"

    @property
    def log_path(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"

    @property
    def credentials_path(self) -> Path:
        """Where the owner's generated password is kept (git-ignored in ``config/``)."""
        return self.config_dir / CREDENTIALS_FILE

    def child_env(self) -> dict[str, str]:
        """The environment of both children."""
        env = {
            **os.environ,
            # custom_components/ of the repository, without copying or linking it.
            "PYTHONPATH": str(ROOT),
            "HA_PORT": str(self.ha_port),
            # The port of a new config directory (Home Assistant 2026.11 and later).
            "SETUP_PORT": str(self.ha_port),
        }
        if CA_BUNDLE.exists():
            # Home Assistant installs runtime packages with uv, which must trust the machine's
            # certificate store (proxies add their own CA there).
            env |= {"SSL_CERT_FILE": str(CA_BUNDLE), "UV_NATIVE_TLS": "true"}
        return env

    def start(self) -> None:
        """Start the simulator (if any) and Home Assistant; returns at once."""
        env = self.child_env()
        if self.sim_port is not None and self.simulator is None:
            args = [
                *(self.python, "-m", "smsmobileapi_simulator", "--host", "127.0.0.1"),
                *("--port", str(self.sim_port), "--api-key", self.api_key),
            ]
            if self.demo:
                args.append("--demo")
            if self.seed is not None:
                args += ["--seed", str(self.seed)]
            self.simulator = Child("simulator", args, env, self.output)
        if self.callr_port is not None and self.callr_simulator is None:
            args = [
                *(self.python, "-m", "smsmobileapi_simulator", "--provider", "callr"),
                *("--host", "127.0.0.1", "--port", str(self.callr_port)),
                *("--login", self.callr_login, "--password", self.callr_password),
                *("--base-path", CALLR_BASE_PATH),
            ]
            if self.demo:
                args.append("--demo")
            if self.seed is not None:
                args += ["--seed", str(self.seed)]
            self.callr_simulator = Child("CALLR simulator", args, env, self.output)
        self.start_hass()

    def start_hass(self) -> None:
        """Start (or start again) Home Assistant."""
        prepare_config(self.config_dir, self.ha_port)
        args = [self.python, "-m", "homeassistant", "--config", str(self.config_dir)]
        if self.skip_pip:
            args.append("--skip-pip")
        self.hass = Child("Home Assistant", args, self.child_env(), self.output)

    def stop(self) -> None:
        """Stop Home Assistant, then the simulators; safe to call more than once."""
        for child in (self.hass, self.simulator, self.callr_simulator):
            if child is not None:
                child.stop()

    def __enter__(self) -> Self:
        """Start on entering a ``with`` block."""
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop everything on leaving the block, whatever happened."""
        self.stop()

    def check_running(self) -> None:
        """Raise if a child has exited."""
        for child in (self.simulator, self.callr_simulator, self.hass):
            if child is not None and child.returncode is not None:
                raise HarnessError(f"{child.name} exited with status {child.returncode}")

    def log_records(self) -> list[LogRecord]:
        """Home Assistant's log so far."""
        return read_log(self.log_path)

    # Home Assistant's HTTP API

    async def wait_until_up(self, session: aiohttp.ClientSession, within: float) -> None:
        """Wait until Home Assistant answers HTTP (the first start of an instance takes longer)."""
        deadline = time.monotonic() + within
        while True:
            self.check_running()
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(
                    f"{self.ha_url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=5)
                ) as response:
                    # 200 while onboarding runs, 404 once done: either way it is up.
                    if response.status in {200, 404}:
                        return
            if time.monotonic() > deadline:
                raise HarnessError(f"Home Assistant did not answer on {self.ha_url} in {within} s")
            await asyncio.sleep(0.5)

    async def request(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: object = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 - decoded JSON
        """Call Home Assistant's HTTP API and return the decoded JSON; raise on an error status."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with session.request(
            method,
            f"{self.ha_url}{path}",
            headers=headers,
            json=json_body,
            data=dict(form) if form is not None else None,
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise HarnessError(f"{method} {path} answered {response.status}: {text[:500]}")
            return json.loads(text) if text else None

    async def onboarding_done(self, session: aiohttp.ClientSession) -> bool:
        """Whether the owner account exists already."""
        async with session.get(f"{self.ha_url}/api/onboarding") as response:
            if response.status == 404:
                return True
            steps = await response.json()
        return any(step["step"] == "user" and step["done"] for step in steps)

    async def onboard(self, session: aiohttp.ClientSession, language: str = "en") -> Owner:
        """Create the owner account (its password is saved in the config directory)."""
        owner = Owner(OWNER_USERNAME, secrets.token_urlsafe(12))
        await self.request(
            session,
            "POST",
            "/api/onboarding/users",
            json_body={
                "client_id": self.client_id,
                "name": OWNER_NAME,
                "username": owner.username,
                "password": owner.password,
                "language": language,
            },
        )
        self.credentials_path.write_text(
            json.dumps({"username": owner.username, "password": owner.password})
        )
        self.credentials_path.chmod(0o600)
        return owner

    def saved_owner(self) -> Owner:
        """The owner account saved by :meth:`onboard`."""
        try:
            creds = json.loads(self.credentials_path.read_text())
            return Owner(creds["username"], creds["password"])
        except (OSError, ValueError, KeyError) as err:
            raise HarnessError(
                f"no usable owner credentials in {self.credentials_path} ({err}); delete "
                f"{self.config_dir / '.storage'} to start over with a new owner"
            ) from err

    async def login(self, session: aiohttp.ClientSession, owner: Owner) -> str:
        """Log in as the frontend does (login flow, then token); returns an access token."""
        flow = await self.request(
            session,
            "POST",
            "/auth/login_flow",
            json_body={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
        )
        result = await self.request(
            session,
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json_body={
                "client_id": self.client_id,
                "username": owner.username,
                "password": owner.password,
            },
        )
        if result.get("type") != "create_entry":
            raise HarnessError(f"login as {owner.username} failed: {result}")
        tokens = await self.request(
            session,
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": self.client_id,
            },
        )
        access_token: str = tokens["access_token"]
        return access_token

    async def _user_step(self, session: aiohttp.ClientSession, token: str, menu_option: str) -> str:
        """Start the config flow and choose ``menu_option``; returns the flow's step path."""
        path = "/api/config/config_entries/flow"
        flow = await self.request(session, "POST", path, token=token, json_body={"handler": DOMAIN})
        step_path = f"{path}/{flow['flow_id']}"
        if flow["type"] == "menu":
            await self.request(
                session, "POST", step_path, token=token, json_body={"next_step_id": menu_option}
            )
        return step_path

    async def _finish_flow(
        self, session: aiohttp.ClientSession, token: str, step_path: str, data: object
    ) -> str:
        """Submit the last step of a config flow; returns the new entry's id."""
        result = await self.request(session, "POST", step_path, token=token, json_body=data)
        if result.get("type") != "create_entry":
            with contextlib.suppress(HarnessError):  # do not leave the flow in progress
                await self.request(session, "DELETE", step_path, token=token)
            raise HarnessError(f"the config flow did not create an entry: {result}")
        entry_id: str = result["result"]["entry_id"]
        return entry_id

    async def add_api_key_entry(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
    ) -> str:
        """Go through the API-key config flow; returns the new entry's id."""
        step_path = await self._user_step(session, token, "api_key")
        data = {
            "api_key": api_key or self.api_key,
            "advanced": {"base_url": base_url or self.sim_url},
        }
        return await self._finish_flow(session, token, step_path, data)

    async def add_callr_entry(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        username: str | None = None,
        password: str | None = None,
        base_url: str | None = None,
    ) -> str:
        """Go through the CALLR config flow (bound to CALLR's simulator); returns the entry's id."""
        step_path = await self._user_step(session, token, "callr")
        data = {
            "username": username or self.callr_login,
            "password": password or self.callr_password,
            "advanced": {"base_url": base_url or self.callr_url},
        }
        return await self._finish_flow(session, token, step_path, data)

    async def add_recipient(
        self, session: aiohttp.ClientSession, token: str, entry_id: str, name: str, number: str
    ) -> None:
        """Add a recipient (a notify entity) to an entry, through its subentry flow."""
        path = "/api/config/config_entries/subentries/flow"
        form = await self.request(
            session, "POST", path, token=token, json_body={"handler": [entry_id, "recipient"]}
        )
        result = await self.request(
            session,
            "POST",
            f"{path}/{form['flow_id']}",
            token=token,
            json_body={"name": name, "number": number},
        )
        if result.get("type") != "create_entry":
            raise HarnessError(f"the recipient {name} was not added: {result}")

    async def entries(self, session: aiohttp.ClientSession, token: str) -> list[dict[str, Any]]:
        """This integration's config entries, as the config entries API lists them."""
        entries: list[dict[str, Any]] = await self.request(
            session, "GET", f"/api/config/config_entries/entry?domain={DOMAIN}", token=token
        )
        return entries

    async def wait_for_loaded_entry(
        self,
        session: aiohttp.ClientSession,
        token: str,
        within: float = 60,
        *,
        entry_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Wait until an entry (``entry_id``, else any) is loaded; returns the loaded ones."""
        deadline = time.monotonic() + within
        while True:
            self.check_running()
            entries = await self.entries(session, token)
            loaded = [
                entry
                for entry in entries
                if entry["state"] == "loaded" and entry_id in {None, entry["entry_id"]}
            ]
            if loaded:
                return loaded
            if time.monotonic() > deadline:
                states = [
                    (entry["title"], entry["state"], entry.get("reason")) for entry in entries
                ]
                which = f"entry {entry_id}" if entry_id else "entry"
                raise HarnessError(
                    f"no {DOMAIN} {which} was loaded within {within} s "
                    f"(entries: {states or 'none'})"
                )
            await asyncio.sleep(0.5)

    async def entry_webhooks(
        self, session: aiohttp.ClientSession, token: str
    ) -> list[EntryWebhook]:
        """Each entry with its provider and webhook URL, as its options dialog shows them.

        The options flow is opened and closed again without a change: its description names
        the provider and the webhook URL to register with it, whatever the entry's title.
        """
        found = []
        path = "/api/config/config_entries/options/flow"
        for entry in await self.entries(session, token):
            form = await self.request(
                session, "POST", path, token=token, json_body={"handler": entry["entry_id"]}
            )
            await self.request(session, "DELETE", f"{path}/{form['flow_id']}", token=token)
            placeholders = form.get("description_placeholders") or {}
            match = WEBHOOK_PATH.search(str(placeholders.get("webhook_url", "")))
            if match is None:
                raise HarnessError(f"the options of {entry['title']} show no webhook URL: {form}")
            found.append(
                EntryWebhook(
                    entry["entry_id"],
                    str(placeholders.get("provider")),
                    f"{self.ha_url}/api/webhook/{match['webhook_id']}",
                )
            )
        return found

    async def entry_webhook(
        self, session: aiohttp.ClientSession, token: str, provider: str
    ) -> EntryWebhook:
        """The one entry of ``provider`` (see :data:`PROVIDER_CALLR`); raises if not exactly one."""
        hooks = [
            hook for hook in await self.entry_webhooks(session, token) if hook.provider == provider
        ]
        if len(hooks) != 1:
            raise HarnessError(f"expected one {provider} entry, Home Assistant lists {len(hooks)}")
        return hooks[0]

    async def webhook_ids(self, session: aiohttp.ClientSession, token: str) -> list[str]:
        """The webhooks the integration registered (Home Assistant's ``webhook/list``)."""
        async with await HassWebSocket.connect(session, self.ha_url, token) as ws:
            hooks = await ws.call("webhook/list")
        return [hook["webhook_id"] for hook in hooks if hook["domain"] == DOMAIN]

    async def _wait_for_webhook(
        self, session: aiohttp.ClientSession, token: str, hook: EntryWebhook, within: float
    ) -> None:
        """Wait until the entry is loaded and its webhook registered."""
        await self.wait_for_loaded_entry(session, token, within, entry_id=hook.entry_id)
        if hook.url.rsplit("/", 1)[1] not in await self.webhook_ids(session, token):
            raise HarnessError(f"the loaded {hook.provider} entry registered no webhook")

    async def connect_simulator_webhook(
        self, session: aiohttp.ClientSession, token: str, within: float = 60
    ) -> str:
        """Make the simulator push received SMS to the SMSMobileAPI entry's webhook.

        Returns the webhook's URL. Raises :class:`HarnessError` when there is not exactly one
        SMSMobileAPI entry, or it does not load, or it registered no webhook.
        """
        hook = await self.entry_webhook(session, token, PROVIDER_SMSMOBILEAPI)
        await self._wait_for_webhook(session, token, hook, within)
        await self.sim_control(
            session, "PUT", "/_sim/webhook", {"url": hook.url, "format": "legacy"}
        )
        return hook.url

    async def set_options(
        self,
        session: aiohttp.ClientSession,
        token: str,
        entry_id: str,
        changes: Mapping[str, object],
    ) -> None:
        """Change some options of an entry through its options flow, keeping the others.

        The entry reloads with its new options; this returns once that reload is over.
        """
        path = "/api/config/config_entries/options/flow"
        form = await self.request(
            session, "POST", path, token=token, json_body={"handler": entry_id}
        )
        if form.get("type") != "form":
            raise HarnessError(f"the options flow of {entry_id} showed no form: {form}")
        current = {}
        for item in form["data_schema"]:
            suggested = (item.get("description") or {}).get("suggested_value")
            if suggested is not None:
                current[item["name"]] = suggested
            elif "default" in item:
                current[item["name"]] = item["default"]
        result = await self.request(
            session,
            "POST",
            f"{path}/{form['flow_id']}",
            token=token,
            json_body={**current, **changes},
        )
        if result.get("type") != "create_entry":
            raise HarnessError(f"the options of {entry_id} were refused: {result}")
        # The options flow schedules a reload; this one waits behind it, under the entry's lock,
        # so that the entry is loaded with the new options when it returns.
        await self.request(
            session, "POST", f"/api/config/config_entries/entry/{entry_id}/reload", token=token
        )

    async def connect_callr_webhooks(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        secret: str | None = None,
        within: float = 60,
    ) -> str:
        """Make CALLR's simulator push to the CALLR entry's webhook, signed; returns its URL.

        A new ``hmac_secret`` (``secret``, or a random one) goes into the entry's options
        (``webhook_secret``) and into the simulator's subscriptions to ``sms.mo`` and
        ``sms.mt.status_update``, which replace any earlier ones.
        """
        hook = await self.entry_webhook(session, token, PROVIDER_CALLR)
        secret = secret or secrets.token_urlsafe(24)
        await self.wait_for_loaded_entry(session, token, within, entry_id=hook.entry_id)
        await self.set_options(session, token, hook.entry_id, {"webhook_secret": secret})
        await self._wait_for_webhook(session, token, hook, within)
        for old in await self.callr_control(session, "GET", "/_sim/webhooks"):
            await self.callr_control(session, "DELETE", f"/_sim/webhooks/{old['hash']}")
        for event_type in CALLR_WEBHOOK_TYPES:
            await self.callr_control(
                session,
                "POST",
                "/_sim/webhooks",
                {"type": event_type, "endpoint": hook.url, "options": {"hmac_secret": secret}},
            )
        return hook.url

    # The simulators' control routes

    async def sim_control(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        body: object = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 - decoded JSON
        """Call a control route of the simulator (``/_sim/...``)."""
        url = f"{self.sim_url}{path}"
        return await _control(session, "simulator", url, method, body=body, params=params)

    async def callr_control(
        self,
        session: aiohttp.ClientSession,
        method: str,
        path: str,
        body: object = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 - decoded JSON
        """Call a control route of CALLR's simulator (``/_sim/...``)."""
        url = f"{self.callr_root}{path}"
        return await _control(session, "CALLR simulator", url, method, body=body, params=params)


async def _control(
    session: aiohttp.ClientSession,
    name: str,
    url: str,
    method: str,
    *,
    body: object,
    params: Mapping[str, str] | None,
) -> Any:  # noqa: ANN401 - decoded JSON
    """Call a simulator's control route (``url``) and return the decoded JSON answer."""
    async with session.request(method, url, json=body, params=params) as response:
        text = await response.text()
        if response.status >= 400:
            raise HarnessError(f"{name} {method} {url}: {response.status} {text}")
        return json.loads(text) if text else None


class HassWebSocket:
    """A small client of Home Assistant's websocket API: commands and event subscriptions."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an authenticated connection; use :meth:`connect`."""
        self._ws = ws
        self._next_id = 1
        self._results: dict[int, asyncio.Future[Any]] = {}
        self._events: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, session: aiohttp.ClientSession, ha_url: str, token: str) -> Self:
        """Connect and authenticate."""
        ws = await session.ws_connect(f"{ha_url.replace('http', 'ws', 1)}/api/websocket")
        hello = await ws.receive_json()
        if hello.get("type") != "auth_required":
            raise HarnessError(f"unexpected websocket greeting: {hello}")
        await ws.send_json({"type": "auth", "access_token": token})
        answer = await ws.receive_json()
        if answer.get("type") != "auth_ok":
            await ws.close()
            raise HarnessError(f"websocket authentication failed: {answer}")
        return cls(ws)

    async def _read(self) -> None:
        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            for item in data if isinstance(data, list) else [data]:
                if item.get("type") == "event" and item["id"] in self._events:
                    self._events[item["id"]].put_nowait(item["event"])
                elif item.get("type") == "result" and item["id"] in self._results:
                    future = self._results.pop(item["id"])
                    if item["success"]:
                        future.set_result(item.get("result"))
                    else:
                        future.set_exception(HarnessError(f"websocket error: {item['error']}"))
        for future in self._results.values():
            future.set_exception(HarnessError("the websocket closed"))

    async def call(self, command: str, **data: object) -> Any:  # noqa: ANN401 - decoded JSON
        """Send a command and return its result."""
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **data})
        async with asyncio.timeout(30):
            return await future

    async def subscribe_events(self, event_type: str) -> asyncio.Queue[dict[str, Any]]:
        """Subscribe to an event type; returns the queue its events arrive in."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._events[self._next_id] = queue
        await self.call("subscribe_events", event_type=event_type)
        return queue

    async def close(self) -> None:
        """Close the connection."""
        await self._ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    async def __aenter__(self) -> Self:
        """Nothing to do: :meth:`connect` connected."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close on leaving the block."""
        await self.close()


async def prepare_stack(
    stack: Stack, session: aiohttp.ClientSession, *, start_within: float = 300
) -> tuple[Owner, str, str]:
    """Start-to-ready for tests: wait, onboard, log in, add the entry, connect the webhook.

    Returns the owner, an access token and the entry id.
    """
    await stack.wait_until_up(session, start_within)
    owner = await stack.onboard(session)
    token = await stack.login(session, owner)
    entry_id = await stack.add_api_key_entry(session, token)
    await stack.connect_simulator_webhook(session, token)
    return owner, token, entry_id
