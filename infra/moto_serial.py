"""Runs moto's server one request at a time.

moto_server serves each request on its own thread, and its DynamoDB transactions
check conditions and write without isolation between those threads: two concurrent
TransactWriteItems can both pass `attribute_not_exists`. Real DynamoDB evaluates a
transaction's conditions atomically. Serving requests serially gives moto the same
guarantee, so the concurrency tests test our code, not moto's threads.

Usage: python moto_serial.py HOST PORT
"""

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, processes=1, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
