"""The worker's periodic jobs: thin wrappers that call services, each isolated from the rest."""
