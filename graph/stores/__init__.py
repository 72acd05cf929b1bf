"""Store implementations: the only modules that touch networkx or a database driver."""
