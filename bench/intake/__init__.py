"""The report-intake benchmark (issue 3): signed location reports against a running `amina serve`.

Modules:
- `fleet`: the deterministic registered population (ids, Ed25519 keys, home positions);
- `seed`: bulk-inserts that population into a migrated database;
- `loadgen`: pre-signed request bodies and a keep-alive HTTP/1.1 load generator;
- `server`: starting and stopping `amina serve`, and per-process CPU accounting;
- `runner`: the whole matrix and its report; `python -m bench.intake --help` is the CLI.
"""
