from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 30
print(Decimal(1) / Decimal(7))
print(Decimal("1.10") + Decimal("2.20"))
print(Fraction(3, 4) + Fraction(1, 6))
import decimal
print(decimal.__name__, type(Decimal(1)).__module__)
