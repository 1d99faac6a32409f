"""The virtio driver side: window, allocators, split rings, devices and queues."""

from pyhost.virtio.alloc import Allocator
from pyhost.virtio.device import VirtioDevice, Virtqueue, feature_names, status_names
from pyhost.virtio.errors import (
    AllocError,
    DeviceNeedsReset,
    DeviceNotFound,
    DeviceProtocolError,
    FeaturesRefused,
    QueueFull,
    QueueSetupError,
    RequestTimeout,
    RingError,
    StatusError,
    VirtioError,
    WindowError,
)
from pyhost.virtio.ring import Desc, RingLayout, SplitRing, Used
from pyhost.virtio.window import (
    DRIVER_FEATURES,
    F_EVENT_IDX,
    F_INDIRECT_DESC,
    F_VERSION_1,
    C,
    Window,
    WindowMem,
)

__all__ = [
    "DRIVER_FEATURES",
    "F_EVENT_IDX",
    "F_INDIRECT_DESC",
    "F_VERSION_1",
    "AllocError",
    "Allocator",
    "C",
    "Desc",
    "DeviceNeedsReset",
    "DeviceNotFound",
    "DeviceProtocolError",
    "FeaturesRefused",
    "QueueFull",
    "QueueSetupError",
    "RequestTimeout",
    "RingError",
    "RingLayout",
    "SplitRing",
    "StatusError",
    "Used",
    "VirtioDevice",
    "VirtioError",
    "Virtqueue",
    "Window",
    "WindowError",
    "WindowMem",
    "feature_names",
    "status_names",
]
