"""Interfaces to the graph: the `kg` command line (`app.cli`), the HTTP API (`app.api`) and the web explorer
(`app/web`), over the use cases they share (`app.usecases`) and the one place stores are opened (`app.components`)."""
