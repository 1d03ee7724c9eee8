"""B608 (hardcoded_sql_expressions): SQL text built from strings)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B608"
CASES: tuple[Case, ...] = (
    case(
        "concatenation",
        'query = "SELECT * FROM users WHERE name = \'" + name + "\'"',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "percent formatting in execute",
        'cursor.execute("DELETE FROM items WHERE id = %s" % item_id)',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "str.format",
        'sql = "UPDATE users SET name = {} WHERE id = {}".format(name, uid)',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "an f-string passed through a connection alias",
        "import sqlite3 as db",
        "conn = db.connect(path)",
        "conn.execute(f\"INSERT INTO logs (msg) VALUES ('{msg}')\")",
        verifier=((3, "SC601", ERROR),),
        bandit=(3,),
    ),
    case(
        "a multi-line f-string",
        'query = f"""',
        "    SELECT id, name",
        "    FROM users",
        "    WHERE id = {user_id}",
        '"""',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "implicit concatenation then +",
        'sql = ("SELECT * FROM orders "',
        '       "WHERE customer = " + customer)',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "str.replace",
        'sql = "SELECT * FROM t WHERE id = ID".replace("ID", value)',
        verifier=((1, "SC601", ERROR),),
        bandit=(1,),
    ),
    case(
        "a constant-only concatenation (bandit flags it)",
        'sql = "SELECT * FROM " + "users"',
        bandit=(1,),
    ),
    case(
        "parameters",
        'cursor.execute("SELECT * FROM users WHERE id = ?", (user_id,))',
    ),
    case("no SQL", 'message = "selected " + str(n) + " items from the list"'),
)
