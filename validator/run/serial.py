"""The serial executor: every client in this process, one after the other."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from validator.batch.clients import Client
from validator.batch.task import ClientResult, Settings, run_client


def run_serial(clients: Sequence[Client], settings: Settings) -> Iterator[ClientResult]:
    for client in clients:
        yield run_client(client, settings)
