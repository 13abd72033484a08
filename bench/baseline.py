"""The baseline: a raw ASGI callable answering a small JSON body, served like ``homeport serve``.

Why a raw ASGI callable and not a one-route Starlette app: the ratio homeport/baseline is meant
to say what homeport adds on top of the server stack it cannot avoid (uvicorn, its HTTP parser
and event loop, loopback TCP). A Starlette app would move part of the framework homeport uses
into the denominator and hide it from the ratio; the raw callable is the floor.

It reads the whole request body before answering (uvicorn must receive a POST's body as it does
for homeport) and answers an i'mport-shaped success envelope of similar size to a short
homeport answer, with the same Content-Type.

Run as a script (the harness does): ``python bench/baseline.py --port N``. It is served by
``homeport serve``'s own ``run_server`` (src/homeport/cli/serve.py): one process,
the same interpreter and packages, hence the same loop (uvloop) and HTTP parser (httptools).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from homeport.cli.serve import run_server

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

BODY = b'{"code":0,"message":null,"response":{"status":"paid"}}'
HEADERS = [
    (b"content-type", b"application/json; charset=UTF-8"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: Message, receive: Receive, send: Send) -> None:
    """Answer every HTTP request with :data:`BODY`; complete lifespan as uvicorn asks."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    """Serve :func:`app` on 127.0.0.1 with homeport's uvicorn settings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    run_server(app, host="127.0.0.1", port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
