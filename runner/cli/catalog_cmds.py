"""`crashlab list`, `show` and `render`: read the catalogue, print it."""


def register(subparsers) -> None:
    pass
