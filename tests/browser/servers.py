"""Small web apps the browser tests serve next to homeport (a merchant's own site)."""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI


class ThreadedServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI, port: int) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"merchant-{port}", daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10.0
        while not self.server.started:
            assert self.thread.is_alive(), "the merchant server thread died while starting"
            assert time.monotonic() < deadline, "the merchant server did not start within 10 s"
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10.0)
