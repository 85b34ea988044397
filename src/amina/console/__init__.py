"""The officer console's queries and use cases (issue 11): search, the person page, work
queues and dashboards. Its routes and templates live in `amina.web.console`."""
