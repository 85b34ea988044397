"""OwnTracks over MQTT: broker accounts, the broker's files, and the `amina mqtt` subscriber."""
