"""A stateful simulator of the Ingram Micro Cloud Marketplace API, for tests, benchmarks and offline demos.

Run it with ``python -m tests.simulator --port 8080`` from the repository root; see README.md.
"""
