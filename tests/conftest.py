"""Fixtures for the cross-client tests: a real Tansu broker started by the repo's
own script, and the built userstream binary."""
import pytest

from processes import STARTED, Broker, StandInAPI, Userstream, end_leftovers, give_to_run_as, run_as


def pytest_configure(config):
    # kafka-python loads its protocol schemas with a deprecated importlib call, once per message
    # type: hundreds of lines of noise that hide this suite's own warnings.
    config.addinivalue_line("filterwarnings", r"ignore:(read|open)_text is deprecated:DeprecationWarning")


@pytest.fixture(autouse=True)
def _end_leftover_processes():
    """A test that fails midway leaves the processes it started running: end them."""
    mark = len(STARTED)
    yield
    end_leftovers(since=mark)


@pytest.fixture(autouse=True)
def _data_directory_for_run_as(request):
    """With USERSTREAM_RUN_AS, a test's tmp_path belongs to that user, as a data directory would."""
    if run_as() and "tmp_path" in request.fixturenames:
        give_to_run_as(request.getfixturevalue("tmp_path"))


@pytest.fixture(scope="module")
def api():
    """The stand-in randomuser API; yields its URL."""
    stand_in = StandInAPI()
    yield stand_in.url
    stand_in.stop()


@pytest.fixture(scope="module")
def broker():
    # Tansu refuses snappy-compressed batches (UNKNOWN_SERVER_ERROR) while its schema registry is on,
    # even for topics without a schema; the cross-client tests cover every codec, so their broker
    # runs without it. tests/test_schema_registry.py starts its own broker with the registry.
    b = Broker(schema_registry=False)
    yield b
    b.stop()


@pytest.fixture(scope="module")
def userstream(broker):
    return Userstream(broker.bootstrap)
