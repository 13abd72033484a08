"""Test credentials and a local HTTP server for the KCP connector's unit tests.

The keys are generated here (RSA-2048, self-signed, encrypted PKCS#8 like KCP's
``splPrikeyPKCS8.pem``); nothing of KCP's is used or committed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASSWORD = "changeit"


@dataclass(frozen=True)
class Pair:
    """A certificate file and its encrypted private key file."""

    certificate: Path
    key: Path
    password: str = PASSWORD


def make_pair(directory: Path, *, cn: str = "2021062910000024", crlf: bool = False) -> Pair:
    """A fresh RSA-2048 key and self-signed certificate, written like KCP issues them."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "homeport TEST ONLY"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    if crlf:
        cert_pem = cert_pem.replace(b"\n", b"\r\n")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    pair = Pair(directory / f"{cn}.cert.pem", directory / f"{cn}.key.pem")
    pair.certificate.write_bytes(cert_pem)
    pair.key.write_bytes(key_pem)
    return pair


@dataclass
class Reply:
    """What the stub server answers on a path."""

    status: int = 200
    body: bytes = b'{"res_cd":"0000","res_msg":"\xec\xa0\x95\xec\x83\x81\xec\xb2\x98\xeb\xa6\xac"}'
    delay: float = 0.0
    content_type: str = "application/json; charset=utf-8"

    @classmethod
    def json(cls, data: dict[str, Any], status: int = 200) -> Reply:
        return cls(status=status, body=json.dumps(data, ensure_ascii=False).encode("utf-8"))


@dataclass
class StubKcp:
    """A real HTTP server on 127.0.0.1 answering canned replies and recording requests."""

    port: int = 0
    replies: dict[str, Reply] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The JSON bodies received on ``path``, oldest first."""
        return [json.loads(raw.decode("utf-8")) for p, _h, raw in self.requests if p == path]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # pragma: no cover - lifespan is off
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append((scope["path"], headers, raw))
        reply = self.replies.get(scope["path"], Reply())
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [(b"content-type", reply.content_type.encode())],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})


class ServerThread:
    """uvicorn serving an ASGI app on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="off", ws="none", http="h11", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> int:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the stub server did not start")
            time.sleep(0.01)
        sockets = [s for server in self.server.servers for s in server.sockets]
        return int(sockets[0].getsockname()[1])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
