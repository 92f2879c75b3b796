"""Run the same work in several threads at once: how the tests prove that two beats, two
sweeps or two clicks arriving together write nothing twice."""

import threading

from django.db import connections


def at_once(work, *, times: int = 2, timeout: float = 60) -> tuple[list, list]:
    """Call ``work()`` in ``times`` threads released together, each on its own database
    connection (closed afterwards). Returns (results, errors); a test asserts on both."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # reported to the test through ``errors``
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
