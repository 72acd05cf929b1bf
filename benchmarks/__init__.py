"""Tools that measure the product, kept out of the installed package: `kg bench` and its synthetic graph."""
