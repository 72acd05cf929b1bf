"""Interfaces to the graph: the ``kg`` command line (and, later, the HTTP API and web page)."""
