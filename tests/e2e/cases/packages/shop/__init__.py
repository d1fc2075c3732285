from .models import Item
from .util import fmt as _fmt


def describe(items):
    return ", ".join(f"{i.name}={_fmt.money(i.cents)}" for i in items)
