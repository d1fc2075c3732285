# A small report: CSV in, group-by, time zones (pytz, zoneinfo, dateutil),
# date ranges, and an HTML table through the Styler (Jinja2 templates).
import io
import zoneinfo

import pandas as pd

csv = io.StringIO(
    "when,city,sales\n"
    "2024-03-09 23:30,Paris,10\n"
    "2024-03-10 01:15,Paris,5\n"
    "2024-03-10 02:45,New York,7\n"
    "2024-03-10 12:00,New York,3\n"
)
df = pd.read_csv(csv, parse_dates=["when"])
print(df.groupby("city")["sales"].agg(["sum", "mean"]))
df["utc"] = df["when"].dt.tz_localize("UTC")
df["paris"] = df["utc"].dt.tz_convert("Europe/Paris")
df["ny"] = df["utc"].dt.tz_convert(zoneinfo.ZoneInfo("America/New_York"))
print(df[["paris", "ny"]].to_string())
rng = pd.date_range("2024-03-09", periods=4, freq="12H", tz="US/Eastern")
print(list(rng.strftime("%Y-%m-%d %H:%M %Z")))
print(pd.Timestamp("2024-07-01 09:00").tz_localize("dateutil/Asia/Tokyo"))
print(pd.to_datetime("10 March 2024 5pm"))
html = df[["city", "sales"]].style.highlight_max(subset="sales").to_html()
print(html.count("<tr>"), "rows;", "background-color" in html)
pivot = df.pivot_table(index=df["when"].dt.day, columns="city",
                       values="sales", aggfunc="sum", fill_value=0)
print(pivot)
print(pd.Series([1.5, None, 3.0]).interpolate().tolist())
