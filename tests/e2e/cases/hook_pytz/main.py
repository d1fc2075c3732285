# Time zones through pytz and zoneinfo (the tz database).
import datetime
import zoneinfo

import pytz

tz = pytz.timezone("Europe/Paris")
dt = tz.localize(datetime.datetime(2024, 7, 1, 12, 0))
print(dt.isoformat(), dt.tzname())
print(len(pytz.all_timezones) > 400, "America/New_York" in pytz.common_timezones)
z = datetime.datetime(2024, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
print(z.utcoffset())
