"""A keep-alive HTTP/1.1 connection that costs the benchmark's machine as little as it can.

The bench's clients run on the machine they measure, so their CPU is taken from the server.
`http.client` parses every response's headers with the email package: about 0.45 ms of
Python per REST call here, a tenth of what the server spends on it. Like the load generators
used against real servers, this one writes the request in one send and reads only what it
needs of the answer (status, length or chunks, whether the server closes).
"""
from __future__ import annotations

import socket


class ProtocolError(OSError):
    """The server's answer is not HTTP/1.1 as this client reads it."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 30):
        self.address = (host, port)
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def request(self, method: str, target: str, headers: dict[str, str],
                body: bytes | None = None) -> tuple[int, bytes]:
        """Send one request and return the answer's status and body."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.address[0]}:{self.address[1]}",
                 *(f"{name}: {value}" for name, value in headers.items())]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        sock = self._socket()
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        return self._response()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buffer = b""

    def _socket(self) -> socket.socket:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def _response(self) -> tuple[int, bytes]:
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.1 status line: {head[0]!r}")
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunks()
        else:
            body = self._exactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(parts[1]), body

    def _chunks(self) -> bytes:
        body = []
        while True:
            size = int(self._until(b"\r\n").split(b";")[0], 16)
            if size == 0:
                self._until(b"\r\n")
                return b"".join(body)
            body.append(self._exactly(size))
            self._exactly(2)

    def _until(self, mark: bytes) -> bytes:
        while (end := self.buffer.find(mark)) < 0:
            self._receive()
        found, self.buffer = self.buffer[:end], self.buffer[end + len(mark):]
        return found

    def _exactly(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self._receive()
        found, self.buffer = self.buffer[:count], self.buffer[count:]
        return found

    def _receive(self) -> None:
        data = self._socket().recv(65536)
        if not data:
            self.close()
            raise ProtocolError("the server closed the connection")
        self.buffer += data
