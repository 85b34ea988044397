"""Each test gets a Mosquitto of its own, on a free port, with the files Amina writes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from amina.config import Settings
from amina.mqtt import broker
from tests.support.broker import Mosquitto, free_broker_port

if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
    pytest.fail("mosquitto is not installed: run `make mosquitto`", pytrace=False)


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    server = Mosquitto(broker.BrokerFiles(tmp_path / "broker"), free_broker_port()).start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, mosquitto: Mosquitto) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        env="development",
        challenge_response_floor_s=0.02,
        heartbeat_interval_s=0,
        mqtt_port=mosquitto.port,
        mqtt_broker_dir=mosquitto.files.directory,
    )
