"""A local simulated web: real HTTP servers on loopback for tests, benchmarks and the demo."""

from monitor.simweb.server import Request, Response, SimServer

__all__ = ["Request", "Response", "SimServer"]
