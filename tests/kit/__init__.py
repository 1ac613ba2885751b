"""The tests' shared kit: servers, builders and helpers that more than one test module uses.

- `siteserver`: the fixture-site HTTP server (routes, request log, misbehaviour).
- `hostile_site`: the hostile council website and its off-site neighbour.
- `cli`: running the real `siteaudit` command in a subprocess.
- `crash`: `kill -9` at a chosen moment, and reading a store another process writes.
- `processes`: who a process started, whether it lives, waiting on a condition.
- `redis_server`: a real redis-server on loopback, and a proxy that stalls its clients.
- `synthetic_runs`: stores filled with made-up runs and findings, for report tests.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository's root folder."""
