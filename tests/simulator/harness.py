"""Start and drive the simulator from tests, integration runners and the Makefile.

    with Simulator() as sim:
        sim.set_faults(latency_ms=50)
        ... point the client at sim.base_url ...
        print(sim.stats())
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CREDENTIALS = {"username": "demo", "password": "demo-password", "subscription_key": "demo-key", "marketplace": "us"}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ApiClient:
    """Reads the simulator's state through its API with one token, as a client would (the reads land in its log)."""

    def __init__(self, simulator):
        self.base = simulator.base_url
        self.session = requests.Session()
        self.session.headers["X-Subscription-Key"] = simulator.credentials["subscription_key"]
        answer = self.session.post(self.base + "/token", json={"marketplace": simulator.credentials["marketplace"]},
                                   auth=(simulator.credentials["username"], simulator.credentials["password"]), timeout=10)
        answer.raise_for_status()
        self.session.headers["Authorization"] = "Bearer " + answer.json()["token"]

    def get(self, path, **query):
        answer = self.session.get(self.base + path, params=query, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def rows(self, path, **query):
        """The first (and, in tests, only) page of a list, up to 1000 rows."""
        return self.get(path, limit=1000, **query)["data"]

    def subscription_seats(self, subscription_id):
        return self.get("/subscriptions/%s" % subscription_id)["products"][0]["quantity"]


class Simulator:
    """A simulator subprocess on a free port of 127.0.0.1; a context manager that always stops it."""

    def __init__(self, port=None, start_timeout=15.0, extra_args=()):
        self.port = port or free_port()
        self.root_url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.root_url}/marketplace/eu"
        self.credentials = dict(DEFAULT_CREDENTIALS)
        self._start_timeout = start_timeout
        self._extra_args = list(extra_args)
        self._process = None
        self._output = None
        self._session = requests.Session()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        # Output goes to a file, not a pipe, so a chatty simulator can never block on a full pipe.
        self._output = tempfile.TemporaryFile()  # pylint: disable=consider-using-with  # closed in stop()
        command = [sys.executable, "-m", "tests.simulator", "--port", str(self.port), *self._extra_args]
        self._process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=self._output, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                self._session.get(f"{self.root_url}/_sim/faults", timeout=1).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.05)
        output = self._read_output()
        self.stop()
        raise RuntimeError(f"the simulator did not start on port {self.port} within {self._start_timeout:g}s; its output:\n{output}")

    def _read_output(self):
        self._output.seek(0)
        return self._output.read().decode(errors="replace")

    def stop(self, grace=5.0):
        """Terminate the process and wait for it; kill it if it does not exit within `grace` seconds."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(grace)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._output is not None:
            self._output.close()
            self._output = None
        self._session.close()

    def _control(self, method, path, json_body=None):
        response = self._session.request(method, f"{self.root_url}/_sim/{path}", json=json_body, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset(self):
        """Back to the seed: data, request log, faults and issued tokens."""
        return self._control("POST", "reset")

    def requests(self):
        """The request log since the last reset: [{method, path, query, status}, ...]."""
        return self._control("GET", "requests")

    def start_capture(self):
        """Keep whole requests (secrets masked) from now until the next reset; read them with captured()."""
        return self._control("POST", "capture")

    def captured(self):
        """Requests kept since start_capture(): [{method, path, query, headers, body}], body as sent (JSON text)."""
        return self._control("GET", "captured")

    def secrets(self):
        """Every bearer token and report download signature issued since the simulator started (for leak scans)."""
        return self._control("GET", "secrets")

    def stats(self):
        return self._control("GET", "stats")

    def faults(self):
        return self._control("GET", "faults")

    def set_faults(self, **fields):
        """Merge fault settings (see README.md); returns the full settings."""
        return self._control("POST", "faults", fields)

    def platform_update_subscription(self, subscription_id, **fields):
        """Change a subscription as the platform or a vendor does, without an order: status, renewalDate."""
        return self._control("POST", "subscriptions/%s" % subscription_id, fields)

    def seed(self, **generate):
        """Add generated customers with subscriptions, e.g. seed(customers=50, subscriptions_per_customer=4)."""
        return self._control("POST", "seed", {"generate": generate})
