"""B201 (flask_debug_true): a Flask app run with ``debug=True``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B201"
CASES: tuple[Case, ...] = (
    case(
        "app.run(debug=True)",
        "from flask import Flask",
        "app = Flask(__name__)",
        "app.run(debug=True)",
        verifier=((3, "SC608", ERROR),),
        bandit=(3,),
    ),
    case(
        "import alias and host",
        "import flask as fl",
        "application = fl.Flask(__name__)",
        "application.run(host='127.0.0.1', debug=True)",
        verifier=((3, "SC608", ERROR),),
        bandit=(3,),
    ),
    case(
        "an app made by a factory",
        "import flask",
        "app = create_app()",
        "app.run(debug=True)",
        verifier=((3, "SC608", ERROR),),
        bandit=(3,),
    ),
    case(
        "debug off",
        "from flask import Flask",
        "app = Flask(__name__)",
        "app.run(debug=False)",
    ),
    case("no flask", "import threading", "threading.Thread(target=f).run()"),
)
