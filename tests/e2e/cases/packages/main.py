import shop
from shop.models import Item
from shop.util.fmt import money
import shop.util.fmt as fmt

cart = [Item("pen", 150), Item("book", 1299)]
print(shop.describe(cart))
print(money(sum(i.cents for i in cart)))
print(fmt.__name__, shop.models.__package__, Item.__module__)
print(shop.__file__.endswith("shop/__init__.py"))
