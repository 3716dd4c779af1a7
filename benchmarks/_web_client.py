"""A small browser-like HTTP client for the web benchmark: cookies, redirects, a latency log."""

from __future__ import annotations

import http.client
import time
import urllib.parse

REDIRECTS = {301, 302, 303, 307, 308}


def plain_get(host: str, port: int, path: str) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", path)
        reply = conn.getresponse()
        reply.read()
        return reply.status
    finally:
        conn.close()




class Client:
    """Cookies, one connection per request (gunicorn's sync workers close them), a log."""

    def __init__(self, host: str, port: int, log: list[tuple[float, int]],
                 timeout: float = 120) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.log = log
        self.sent: list[tuple[str, bytes | None]] = []

    def request(self, method: str, path: str, body: bytes | None = None
                ) -> tuple[int, str, str]:
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.sent.append((method, body))
        start = time.perf_counter()
        status = 0
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                reply = conn.getresponse()
                text = reply.read().decode("utf-8", "replace")
                status = reply.status
            finally:
                conn.close()
        finally:
            self.log.append((time.perf_counter() - start, status))
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, reply.headers.get("Location", ""), text

    def follow(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str, str]:
        """Send, then follow redirects with GET; return (status, final path, text)."""
        status, location, text = self.request(method, path, body)
        for _ in range(5):
            if status not in REDIRECTS:
                break
            path = urllib.parse.urlsplit(urllib.parse.urljoin(path, location))._replace(
                scheme="", netloc="", fragment="").geturl()
            status, location, text = self.request("GET", path)
        return status, path, text
