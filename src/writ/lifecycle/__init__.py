"""Immigration case lifecycle: states, legal documents, gate rules, overrides, clocks, custody.

The pure core (no store) is ``documents``, ``finality``, ``facts``, ``conditions``, ``rules``,
``engine``, ``clocks`` and ``priorities``; the store-backed services are in ``service``.
"""
