"""Errors of the driver side. Every message says what happened and what to change."""

from __future__ import annotations

from pyhost.machine.base import MachineTimeout


class VirtioError(RuntimeError):
    """Base class of everything the virtio driver side raises."""


class WindowError(VirtioError):
    """The window is not published, or its header does not make sense."""


class DeviceNotFound(VirtioError):
    """No device with the wanted id in the window; the message lists what is there."""


class FeaturesRefused(VirtioError):
    """The device cleared FEATURES_OK: the driver asked for features it may not have."""


class QueueSetupError(VirtioError):
    """A queue cannot be set up as asked (size, placement, number)."""


class DeviceNeedsReset(VirtioError):
    """The device raised DEVICE_NEEDS_RESET; ``fault`` is the queue's fault code."""

    def __init__(self, message: str, queue: int | None = None, fault: int = 0) -> None:
        super().__init__(message)
        self.queue = queue
        self.fault = fault


class StatusError(VirtioError):
    """A status handshake failed or gave an unexpected status."""


class AllocError(VirtioError):
    """An area of the window ran out, or a piece was freed twice."""


class RingError(VirtioError):
    """The driver cannot do what was asked with the ring (queue full, bad request)."""


class QueueFull(RingError):
    """Not enough free descriptors for the request."""


class DeviceProtocolError(VirtioError):
    """The device broke the ring protocol (bad used entry, length beyond the buffers)."""


class RequestTimeout(VirtioError, MachineTimeout):
    """Requests were not completed in time; the message names guest, device and heads."""
