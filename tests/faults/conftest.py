"""Fixtures of the fault tests; the processes they start are in fault_fixtures.py."""
import pytest

from fault_fixtures import RecordingAPI, S3Server
from processes import Broker, StandInAPI, free_port
from proxy import FaultProxy


@pytest.fixture(scope="session")
def s3():
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def broker():
    b = Broker(schema_registry=False)
    yield b
    b.stop()


@pytest.fixture
def durable_broker(s3):
    b = Broker(schema_registry=False, storage=f"s3://{s3.bucket()}/", env=s3.env)
    yield b
    b.stop()


@pytest.fixture
def proxied_broker():
    """A broker reached only through the fault proxy: it advertises the proxy's address."""
    port = free_port()
    proxy = FaultProxy(("127.0.0.1", port))
    b = Broker(schema_registry=False, port=port, advertised=proxy.address)
    yield b, proxy
    proxy.close()
    b.stop()


@pytest.fixture(scope="module")
def stand_in():
    api = StandInAPI()
    yield api
    api.stop()


@pytest.fixture
def api(stand_in):
    """The stand-in API behind a recording front; `.served` holds the ids it handed out."""
    front = RecordingAPI(stand_in.url)
    yield front
    front.stop()



@pytest.fixture(scope="module")
def slow_stand_in():
    """The stand-in API taking 100 ms per answer: with --concurrency 1, `produce` runs long
    enough for a fault to land while it is still publishing."""
    api = StandInAPI("--latency-ms", "100")
    yield api
    api.stop()


@pytest.fixture
def slow_api(slow_stand_in):
    front = RecordingAPI(slow_stand_in.url)
    yield front
    front.stop()
