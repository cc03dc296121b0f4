"""The fault proxy itself, against a loopback echo server: each mode does what its name says."""
import socket
import socketserver
import threading

import pytest

from proxy import FaultProxy


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except OSError:
            pass


@pytest.fixture
def proxy():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    p = FaultProxy(server.server_address)
    yield p
    p.close()
    server.shutdown()
    server.server_close()


def connect(proxy, timeout=5.0):
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


def echo(sock, data=b"ping"):
    sock.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def test_pass_forwards_both_ways(proxy):
    with connect(proxy) as s:
        assert echo(s, b"x" * 200_000) == b"x" * 200_000


def test_cut_closes_open_connections_and_refuses_new_ones_until_pass(proxy):
    s = connect(proxy)
    assert echo(s) == b"ping"
    proxy.mode = "cut"
    assert s.recv(10) == b""  # FIN
    with connect(proxy) as t:
        assert t.recv(10) == b""
    proxy.mode = "pass"
    with connect(proxy) as u:
        assert echo(u) == b"ping"


def test_reset_sends_rst(proxy):
    s = connect(proxy)
    assert echo(s) == b"ping"
    proxy.mode = "reset"
    with pytest.raises(ConnectionResetError):
        s.recv(10)
        s.sendall(b"more")
        s.recv(10)


def test_stall_holds_data_and_keeps_the_socket_then_delivers_it(proxy):
    s = connect(proxy, timeout=0.5)
    assert echo(s) == b"ping"
    proxy.mode = "stall"
    s.sendall(b"held")
    with pytest.raises(socket.timeout):
        s.recv(10)  # nothing comes back, and the socket is not closed
    proxy.mode = "pass"
    s.settimeout(5)
    assert s.recv(10) == b"held"


def test_blackhole_accepts_and_never_answers(proxy):
    s = connect(proxy, timeout=0.5)
    assert echo(s) == b"ping"
    proxy.mode = "blackhole"
    accepted = proxy.accepted
    t = connect(proxy, timeout=0.5)
    proxy.wait_accepted(accepted + 1)
    for sock in (s, t):
        sock.sendall(b"anyone?")
        with pytest.raises(socket.timeout):
            sock.recv(10)
    proxy.mode = "pass"
    with connect(proxy) as u:
        assert echo(u) == b"ping"
