"""Runs moto's server one request at a time, with cheap transactions.

moto_server serves each request on its own thread, and its DynamoDB transactions
check conditions and write without isolation between those threads: two concurrent
TransactWriteItems can both pass `attribute_not_exists`. Real DynamoDB evaluates a
transaction's conditions atomically. Serving requests serially gives moto the same
guarantee, so the concurrency tests test our code, not moto's threads.

moto also backs up a whole table (a deep copy) for every item of every
TransactWriteItems, to roll back a cancelled one: a transaction costs time in
proportion to the table, and a test that writes a few thousand items in transactions
(500 users' directory entries and reports, each with its change item) spends minutes
copying. Here a transaction backs up only the items it touches, and a cancelled one
puts exactly those back, which is the same outcome (requests are serial, so nothing
else changes the table meanwhile).

Usage: python moto_serial.py HOST PORT
"""

import copy
import sys

import moto
import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class _TablesKeptInPlace:
    """moto's `copy` module during a transaction: tables are not copied (the items a
    transaction touches are backed up instead); anything else is copied as before."""

    def deepcopy(self, value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


def _touched_items(backend, transact_items):
    """(table name, key, the item's attributes before, or None) for each operation whose
    table exists; moto itself answers the others' errors."""
    touched = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        name = op.get("TableName")
        if name not in backend.tables:
            continue
        table = backend.tables[name]
        if op_type == "Put":
            attrs = op.get("Item", {})
            key = {a: attrs[a] for a in (table.hash_key_attr, table.range_key_attr) if a and a in attrs}
        else:
            key = op.get("Key", {})
        try:
            current = backend.get_item(name, key)
        except Exception:  # a malformed key: moto's own check refuses it
            continue
        touched.append((name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
    return touched


def _restore(backend, touched):
    # Latest first, so an item named twice ends as it was before the first.
    for name, key, before in reversed(touched):
        if before is None:
            if backend.get_item(name, key) is not None:
                backend.delete_item(name, key)
        else:
            backend.put_item(name, before)


# The patch leans on how moto 5.2.5 backs up and restores tables (infra/test.sh pins it).
if moto.__version__ != "5.2.5":
    raise SystemExit(f"infra/moto_serial.py patches moto 5.2.5's transactions, not {moto.__version__}: check it first")

_moto_transact = dynamodb_models.DynamoDBBackend.transact_write_items


def _transact_write_items(self, transact_items):
    touched = _touched_items(self, transact_items)
    kept = dynamodb_models.copy
    dynamodb_models.copy = _TablesKeptInPlace()
    try:
        return _moto_transact(self, transact_items)
    except Exception:
        _restore(self, touched)
        raise
    finally:
        dynamodb_models.copy = kept


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, processes=1, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
