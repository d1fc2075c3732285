# Babel reads its CLDR locale data (babel/locale-data/*.dat, global.dat)
# from files next to its modules.
import datetime

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

d = datetime.date(2024, 3, 9)
print(format_date(d, format="long", locale="de_DE"))
print(format_date(d, format="full", locale="fr_FR"))
print(format_decimal(1234567.891, locale="en_IN"))
print(format_currency(1099.98, "EUR", locale="nl_NL"))
print(Locale.parse("ja_JP").get_display_name("en"))
