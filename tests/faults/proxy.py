"""A TCP fault proxy on loopback, for putting faults between userstream and the broker or the API.

Modes (`proxy.mode = …`, or the helpers):
  pass       forward both ways;
  cut        close every connection (FIN) and close new ones as soon as they arrive;
  reset      the same with RST (SO_LINGER 0);
  stall      keep every socket open but forward nothing, existing and new connections alike;
             back to `pass`, what was held is delivered;
  blackhole  drop the upstream side of every connection, keep the client's socket open and never
             answer it; new connections are accepted and never answered. Back to `pass`, new
             connections work again; the black-holed ones stay dead until the client gives up.

The proxy runs its own asyncio loop in a thread; every method may be called from test code.
`accepted` counts connections so a test can await a reconnect."""
from __future__ import annotations

import asyncio
import socket
import struct
import threading

MODES = ("pass", "cut", "reset", "stall", "blackhole")


class _Connection:
    def __init__(self, proxy: "FaultProxy", client_reader, client_writer):
        self.proxy = proxy
        self.client_reader, self.client_writer = client_reader, client_writer
        self.upstream_writer = None
        self.tasks: list[asyncio.Task] = []
        self.dead = False  # black-holed: never forward again

    async def run(self):
        mode = self.proxy._mode
        if mode in ("cut", "reset"):
            self.close(rst=mode == "reset")
            return
        if mode == "blackhole":
            self.dead = True
            await self._discard()
            return
        try:
            upstream_reader, self.upstream_writer = await asyncio.open_connection(*self.proxy.upstream)
        except OSError:
            self.close(rst=False)
            return
        self.tasks = [asyncio.ensure_future(self._pump(self.client_reader, lambda: self.upstream_writer)),
                      asyncio.ensure_future(self._pump(upstream_reader, lambda: self.client_writer))]
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.close(rst=False)

    async def _pump(self, reader, writer_of):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self.proxy._flowing.wait()
                if self.dead:
                    continue  # black-holed: read and discard
                writer = writer_of()
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            if not self.dead:
                for task in self.tasks:
                    task.cancel()

    async def _discard(self):
        try:
            while await self.client_reader.read(65536):
                pass
        except OSError:
            pass

    def blackhole(self):
        self.dead = True
        if self.upstream_writer is not None:
            self.upstream_writer.close()

    def close(self, rst: bool):
        for task in self.tasks:
            task.cancel()
        for writer in (self.client_writer, self.upstream_writer):
            if writer is None:
                continue
            if rst:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    except OSError:
                        pass
            writer.close()
        self.proxy._connections.discard(self)


class FaultProxy:
    """A proxy from 127.0.0.1:`port` (a free port unless given) to `upstream` (host, port)."""

    def __init__(self, upstream: tuple[str, int], port: int = 0):
        self.upstream = upstream
        self._mode = "pass"
        self._connections: set[_Connection] = set()
        self.accepted = 0
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(port,), daemon=True)
        self._thread.start()
        self._ready.wait(10)
        assert self._ready.is_set(), "fault proxy did not start"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self, port):
        asyncio.set_event_loop(self._loop)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, "127.0.0.1", port, reuse_address=True))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _accept(self, reader, writer):
        connection = _Connection(self, reader, writer)
        self._connections.add(connection)
        with self._changed:
            self.accepted += 1
            self._changed.notify_all()
        await connection.run()

    def _call(self, fn):
        done = threading.Event()

        def run():
            try:
                fn()
            finally:
                done.set()
        self._loop.call_soon_threadsafe(run)
        done.wait(10)

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str):
        assert mode in MODES, mode

        def apply():
            self._mode = mode
            if mode == "stall":
                self._flowing.clear()
            else:
                self._flowing.set()
            if mode in ("cut", "reset"):
                for connection in list(self._connections):
                    connection.close(rst=mode == "reset")
            elif mode == "blackhole":
                for connection in list(self._connections):
                    connection.blackhole()
        self._call(apply)

    def cut_once(self, rst: bool = False):
        """Closes every current connection and keeps passing new ones."""
        def apply():
            for connection in list(self._connections):
                connection.close(rst=rst)
        self._call(apply)

    def wait_accepted(self, count: int, timeout: float = 120) -> None:
        """Waits until `count` connections were accepted in all (a reconnect shows as one more)."""
        with self._changed:
            assert self._changed.wait_for(lambda: self.accepted >= count, timeout), \
                f"only {self.accepted} connections through the proxy, waited for {count}"

    def close(self):
        def stop():
            self._server.close()
            for connection in list(self._connections):
                connection.close(rst=False)
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.call_soon(self._loop.stop)
        self._loop.call_soon_threadsafe(stop)
        self._thread.join(10)
