"""pyhost: the guest side of vbe.

It plays the virtio driver (feature negotiation, queue set-up, buffers, notifications),
offers I2C (and later SCMI) client APIs with Linux semantics, and launches machines that
run the backend: in this process through cffi (``inprocess``) or, later, in QEMU.
The same client code drives every machine.
"""
