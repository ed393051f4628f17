"""The browser tests' server cannot fail a run on a file left open by a dropped connection."""

from __future__ import annotations

from tests.browser.conftest import read_whole


class StaticFile:
    """A response body that must be closed, as a static file's is."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self):
        yield b"body { color: black }"

    def close(self) -> None:
        self.closed = True


def test_each_response_is_read_and_closed_before_the_server_sends_a_byte():
    body = StaticFile()
    started: list[str] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/css")])
        return body

    sent = read_whole(app)({}, lambda status, headers: started.append(status))

    assert body.closed  # whatever happens to the connection now, no file stays open
    assert started == ["200 OK"]
    assert list(sent) == [b"body { color: black }"]
