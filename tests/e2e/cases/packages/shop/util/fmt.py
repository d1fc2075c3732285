from ..models import item as _item  # noqa: F401  (a relative import two levels up)


def money(cents):
    return f"${cents // 100}.{cents % 100:02d}"
