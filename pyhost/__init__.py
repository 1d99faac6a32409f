"""pyhost: the guest side of vbe.

It plays the virtio driver (feature negotiation, queue set-up, buffers, notifications),
offers I2C and SCMI client APIs with Linux semantics, launches machines that run the
backend (in this process through cffi, ``inprocess``; the bare-metal image in QEMU,
``qemu``), boots Linux guests, and is the pytest plugin. The same client code drives
every machine. It imports only the system description (``sysdesc``), never the command
line (``vbe``): tests/unit/test_import_graph.py checks it.
"""
