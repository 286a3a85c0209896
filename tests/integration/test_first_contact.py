"""First contact on a bad network, as a newcomer meets it: the check_connection playbook with the default settings against
an API URL where nothing listens, a host that takes the connection and never answers, an address that never answers to
connect, a host name that does not resolve, and two TLS mismatches. Each fails within 60 s, at the default verbosity,
with the cause in its own words, the host and port and what to check; none is blamed on the credentials."""

import concurrent.futures
import http.server
import os
import socket
import ssl
import threading
import time

import pytest
import trustme

from tests.integration.test_check_connection import CHECK

LIMIT = 60  # seconds a first contact may take to fail with the default settings


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_listener():
    """A port that accepts connections and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held + [server]:
        connection.close()


@pytest.fixture
def black_hole():
    """A port whose connections never open: a listener that accepts nothing, its queue full, so the kernel drops every
    further connection request as a black-holed address does (the client waits for connect_timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    for _filler in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", server.getsockname()[1]))
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.2)
    yield server.getsockname()[1]
    for connection in fillers + [server]:
        connection.close()


@pytest.fixture
def untrusted_tls(tmp_path):
    """An HTTPS server whose certificate comes from a CA nobody trusts (as behind a proxy that inspects TLS)."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def rows(output):
    """{check: (result, evidence)} of the playbook's table."""
    from tests.integration.test_check_connection import table

    return table(output)


def test_network_faults_are_told_from_credentials_within_60_seconds(simulator, run_playbook, tmp_path, silent_listener, black_hole,
                                                                    untrusted_tls):
    plain_port = int(simulator.base_url.split(":")[2].split("/")[0])
    refused = closed_port()
    cases = {
        "refused": ("http://127.0.0.1:%d/marketplace/eu" % refused,
                    "cannot reach the Marketplace API: no answer from 127.0.0.1:%d (connection refused), tried 6 times in" % refused),
        "silent": ("http://127.0.0.1:%d/marketplace/eu" % silent_listener,
                   "the Marketplace API did not answer: 127.0.0.1:%d took the connection but sent no answer to POST /token within "
                   "30s (timeout). Check that api_url (http://127.0.0.1:%d/marketplace/eu) points at the Marketplace API"
                   % (silent_listener, silent_listener)),
        "black hole": ("http://127.0.0.1:%d/marketplace/eu" % black_hole,
                       "cannot reach the Marketplace API: no answer from 127.0.0.1:%d to connect within 10s (connect_timeout)" % black_hole),
        "no such host": ("https://api.marketplace.invalid/marketplace/eu",
                         "cannot reach the Marketplace API: the host name api.marketplace.invalid does not resolve (DNS)"),
        "TLS to a plain port": ("https://127.0.0.1:%d/marketplace/eu" % plain_port,
                                "cannot reach the Marketplace API: TLS with 127.0.0.1:%d failed: it does not speak TLS there "
                                "(wrong version number): check the scheme and port of api_url" % plain_port),
        "TLS untrusted": ("https://127.0.0.1:%d/marketplace/eu" % untrusted_tls,
                          "cannot reach the Marketplace API: TLS with 127.0.0.1:%d failed: its certificate is not trusted "
                          "(unable to get local issuer certificate)" % untrusted_tls),
    }

    def first_contact(case):
        url = cases[case][0]
        started = time.monotonic()
        run = run_playbook(CHECK, env={"INGRAM_API_URL": url}, cache_home=tmp_path / ("cache-" + case.replace(" ", "-")))
        return run, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(len(cases)) as pool:
        runs = dict(zip(cases, pool.map(first_contact, cases)))

    for case, (run, seconds) in runs.items():
        cause = cases[case][1]
        table = rows(run.output)
        assert run.rc != 0, (case, run.output[-3000:])
        assert seconds < LIMIT, (case, seconds)
        assert table["connection"][0] == "does not hold" and table["connection"][1].startswith(cause), (case, table["connection"])
        assert "the credentials were not checked" in table["connection"][1], case
        assert table["credentials"] == ("could not be checked", "the API was not reached (see the connection row)"), case
        assert "The reseller could not be told: the API was not reached (see the connection row)" in run.output, case
        # The failure says the cause itself, not "see the rows above", and nothing reads as a credentials problem.
        assert '"msg": "connection does not hold: %s' % cause in run.output, (case, run.output[-3000:])
        assert "credentials does not hold" not in run.output and "username, password" not in run.output, case
        assert "asked for retries" not in run.output, case
        if case == "refused":
            assert "[WARNING]: no answer from 127.0.0.1:%d (connection refused); retried 5 times" % refused in run.output
    assert runs["silent"][1] < 45 and runs["black hole"][1] < 45, {case: seconds for case, (_run, seconds) in runs.items()}


def test_the_same_words_from_a_module_and_the_event_source(simulator, run_playbook, tmp_path, monkeypatch):
    """Every module and the event source use the one client, so a fault reads the same everywhere."""
    from tests.integration.test_events import load_plugin

    port = closed_port()
    url = "http://127.0.0.1:%d/marketplace/eu" % port
    cause = "cannot reach the Marketplace API: no answer from 127.0.0.1:%d (connection refused), tried 2 times in" % port
    run = run_playbook(os.path.join("tests", "integration", "first_contact_module.yml"), env={"INGRAM_API_URL": url, "INGRAM_MAX_RETRIES": "1"})
    assert run.rc != 0 and cause in run.output, run.output[-3000:]
    assert "[WARNING]: no answer from 127.0.0.1:%d (connection refused); retried 1 time" % port in run.output

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = load_plugin().Source({"api_url": url, "username": "reseller.API", "password": "not-used-1", "subscription_key": "not-used-2",
                                   "marketplace": "us", "max_retries": 1, "checkpoint": str(tmp_path / "events.json")})
    began = source.poll()
    assert [(event["type"], event["state"], event["failure"]) for event in began] == [("source_error", "began", "api_unreachable")]
    assert began[0]["message"].startswith(cause)
