"""Run Home Assistant with the integration, the simulator, and first-run onboarding.

Started by scripts/develop inside the project's Python environment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
from pathlib import Path
import secrets
import signal
import sys
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"
CREDENTIALS = CONFIG / ".dev-credentials.json"
HA_PORT = int(os.environ.get("HA_PORT") or 8123)
SIM_PORT = int(os.environ.get("SIMULATOR_PORT") or 8765)
HA_URL = f"http://127.0.0.1:{HA_PORT}"
CLIENT_ID = f"http://localhost:{HA_PORT}/"
DEMO_API_KEY = "demo-api-key"


def log(message: str) -> None:
    """Print a line of the launcher."""
    print(f"\033[1;34m[develop]\033[0m {message}", flush=True)


async def wait_for(session: aiohttp.ClientSession, url: str, seconds: float) -> None:
    """Wait until ``url`` answers at all."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            async with session.get(url) as response:
                await response.read()
                return
        except aiohttp.ClientError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1)


async def call(
    session: aiohttp.ClientSession,
    path: str,
    payload: dict[str, Any],
    token: str | None = None,
) -> dict[str, Any]:
    """POST JSON to Home Assistant and return the JSON answer."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.post(f"{HA_URL}{path}", json=payload, headers=headers) as response:
        body: dict[str, Any] = await response.json(content_type=None)
        if response.status >= 400:
            raise RuntimeError(f"{path} answered {response.status}: {body}")
        return body


async def onboard(session: aiohttp.ClientSession, base_url: str, api_key: str) -> None:
    """Create the owner account and a config entry, unless onboarding was done before."""
    async with session.get(f"{HA_URL}/api/onboarding") as response:
        # Once onboarding is complete, Home Assistant no longer serves it (404).
        steps = await response.json() if response.status == 200 else []
    if all(step["done"] for step in steps):
        if CREDENTIALS.exists():
            creds = json.loads(CREDENTIALS.read_text())
            log(
                f"log in at http://localhost:{HA_PORT} as {creds['username']} / {creds['password']}"
            )
        return
    password = secrets.token_urlsafe(9)
    user = await call(
        session,
        "/api/onboarding/users",
        {
            "client_id": CLIENT_ID,
            "name": "Developer",
            "username": "dev",
            "password": password,
            "language": "en",
        },
    )
    async with session.post(
        f"{HA_URL}/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": user["auth_code"],
            "client_id": CLIENT_ID,
        },
    ) as response:
        token = (await response.json())["access_token"]
    await call(session, "/api/onboarding/core_config", {}, token)
    await call(session, "/api/onboarding/analytics", {}, token)
    await call(
        session,
        "/api/onboarding/integration",
        {"client_id": CLIENT_ID, "redirect_uri": f"{CLIENT_ID}?auth_callback=1"},
        token,
    )
    flow = await call(
        session, "/api/config/config_entries/flow", {"handler": "smsmobileapi"}, token
    )
    flow_path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    await call(session, flow_path, {"next_step_id": "api_key"}, token)
    result = await call(
        session, flow_path, {"api_key": api_key, "advanced": {"base_url": base_url}}, token
    )
    if result.get("type") != "create_entry":
        raise RuntimeError(f"the config flow did not create an entry: {result}")
    CREDENTIALS.write_text(json.dumps({"username": "dev", "password": password}))
    log(f"owner account created: log in at http://localhost:{HA_PORT} as dev / {password}")
    log(f"config entry created against {base_url}")


async def connect_simulator_webhook(session: aiohttp.ClientSession) -> None:
    """Point the simulator's webhook at the entry's, so demo SMS arrive by push."""
    entries = json.loads((CONFIG / ".storage" / "core.config_entries").read_text())
    for entry in entries["data"]["entries"]:
        if entry["domain"] == "smsmobileapi" and "webhook_id" in entry["data"]:
            url = f"{HA_URL}/api/webhook/{entry['data']['webhook_id']}"
            async with session.put(
                f"http://127.0.0.1:{SIM_PORT}/_sim/webhook", json={"url": url, "format": "legacy"}
            ) as response:
                response.raise_for_status()
            log("the simulator pushes new SMS to the entry's webhook")
            return


async def main() -> int:
    """Start the simulator and Home Assistant, onboard on the first run, wait for Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-simulator", action="store_true", help="do not start the simulator")
    args = parser.parse_args()
    real_key = os.environ.get("SMSMOBILEAPI_API_KEY") or ""
    use_simulator = not real_key and not args.no_simulator
    children: list[asyncio.subprocess.Process] = []
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # Home Assistant installs the frontend and other runtime packages with uv on first start;
        # uv must trust the machine's certificate store (proxies add their own CA there).
        "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
        "UV_NATIVE_TLS": "true",
    }
    if use_simulator:
        children.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "smsmobileapi_simulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(SIM_PORT),
                "--api-key",
                DEMO_API_KEY,
                "--demo",
                env=env,
            )
        )
        base_url, api_key = f"http://127.0.0.1:{SIM_PORT}", DEMO_API_KEY
    else:
        base_url = os.environ.get("SMSMOBILEAPI_BASE_URL") or "https://api.smsmobileapi.com"
        api_key = real_key
    hass = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "homeassistant", "--config", str(CONFIG), env=env
    )
    children.append(hass)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with aiohttp.ClientSession() as session:
            log("waiting for Home Assistant (the first start installs the frontend: minutes)")
            await wait_for(session, f"{HA_URL}/api/onboarding", 900)
            if api_key:
                await onboard(session, base_url, api_key)
            if use_simulator:
                await connect_simulator_webhook(session)
            log(f"Home Assistant runs on http://localhost:{HA_PORT}; Ctrl-C stops everything")
        waiter = asyncio.ensure_future(hass.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
    finally:
        for child in children:
            if child.returncode is None:
                child.terminate()
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                await child.wait()
    return hass.returncode or 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
