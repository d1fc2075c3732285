import sqlite3

con = sqlite3.connect(":memory:")
con.execute("create table t (name text, n integer)")
con.executemany("insert into t values (?, ?)", [("x", 3), ("y", 4), ("x", 5)])
for row in con.execute("select name, sum(n) from t group by name order by name"):
    print(row)
print(sqlite3.sqlite_version_info >= (3, 0, 0))
