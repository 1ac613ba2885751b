"""A real redis-server on a loopback port, with its own config and data folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

import redis

from tests.kit.ports import free_port


class RedisServer:
    """`redis-server` bound to 127.0.0.1, keeping nothing on disk; stopped on exit."""

    def __init__(self, folder: Path, *, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make system-deps`")
        self.binary = binary
        self.folder = folder
        self.password = password
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        secret = f":{self.password}@" if self.password else ""
        return f"redis://{secret}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        lines = [
            "bind 127.0.0.1",
            f"port {self.port}",
            f"dir {self.folder}",
            'save ""',
            "appendonly no",
            "protected-mode yes",
            f"logfile {self.folder / 'redis.log'}",
        ]
        if self.password:
            lines.append(f"requirepass {self.password}")
        config = self.folder / "redis.conf"
        config.write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen([self.binary, str(config)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start: see {config}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class StallingProxy:
    """A TCP relay to a Redis server that stops passing clients' commands on, for good,
    right after the first one containing `trigger`: a client then hangs on its next
    command, as if its process had stopped at that point. Replies still come back."""

    def __init__(self, server: RedisServer, trigger: bytes) -> None:
        self.target = ("127.0.0.1", server.port)
        self.trigger = trigger
        self.stalled = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._relay, args=(client, upstream, True), daemon=True).start()
            threading.Thread(
                target=self._relay, args=(upstream, client, False), daemon=True
            ).start()

    def _relay(self, source: socket.socket, sink: socket.socket, commands: bool) -> None:
        try:
            while data := source.recv(65536):
                if commands and self.stalled.is_set():
                    continue  # held back: never reaches the server
                sink.sendall(data)
                if commands and self.trigger in data:
                    self.stalled.set()
        except OSError:
            pass  # one side closed

    def close(self) -> None:
        self.listener.close()
