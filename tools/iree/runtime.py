"""Loads a .vmfb with the pinned iree-base-runtime and calls one of its functions on NumPy arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from iree import runtime as rt  # noqa: PLW0406  (ruff takes tools/iree for `iree`)

# Both backends run on IREE's in-process CPU drivers: llvm-cpu executables are ELF objects loaded
# by the embedded-elf loader, vmvx executables by the VMVX interpreter; `local-sync` runs each on
# the calling thread (deterministic, one core), `local-task` on a thread pool.
DRIVERS = ("local-sync", "local-task")


def c_contiguous(array: np.ndarray) -> np.ndarray:
    """`array` in C order, copied only if needed; 0-d arrays stay 0-d.

    Not np.ascontiguousarray: it turns 0-d arrays (scalars) into shape (1,), which IREE rejects
    for a scalar parameter ("input1 shape rank mismatch").
    """
    array = np.asarray(array)
    return array if array.flags.c_contiguous else array.copy(order="C")


class Module:
    """A loaded IREE module bound to a fresh device of `driver`."""

    def __init__(self, vmfb: bytes, driver: str = "local-sync", caching: bool = False) -> None:
        """Loads `vmfb`.

        Args:
          vmfb: the module bytes.
          driver: one of DRIVERS.
          caching: use IREE's caching allocator (what a benchmark wants: no per-call malloc).
        """
        if driver not in DRIVERS:
            raise ValueError(f"driver {driver!r} is not one of {', '.join(DRIVERS)}")
        if caching:
            device = rt.get_driver(driver).create_default_device(allocators=["caching"])
            self.config = rt.Config(device=device)
        else:
            self.config = rt.Config(driver)
        self.context = rt.SystemContext(config=self.config)
        self.vm_module = rt.VmModule.copy_buffer(self.context.instance, vmfb)
        self.context.add_vm_module(self.vm_module)
        self.name = self.vm_module.name

    def function(self, name: str = "main") -> rt.system_api.BoundFunction:
        """Returns the exported function `name` (JAX exports the entry as `main`)."""
        return self.context.modules[self.name][name]

    def declaration(self, name: str = "main") -> str:
        """The function's ABI declaration (`sync func @main(%input0: tensor<8xf32>) -> ...`)."""
        return self.vm_module.lookup_function(name).reflection.get("iree.abi.declaration", "")

    def to_device(self, array: np.ndarray, dtype: str = "") -> rt.DeviceArray:
        """Copies `array` to the device; `dtype='bf16'` reinterprets uint16 bits as bfloat16."""
        array = c_contiguous(array)
        if dtype != "bf16":
            return rt.asdevicearray(self.config.device, array)
        view = self.config.device.allocator.allocate_buffer_copy(
            memory_type=rt.MemoryType.DEVICE_LOCAL,
            allowed_usage=rt.BufferUsage.DEFAULT,
            device=self.config.device,
            buffer=array.view(np.uint16),
            element_type=rt.HalElementType.BFLOAT_16,
        )
        return rt.DeviceArray(self.config.device, view, implicit_host_transfer=True)

    def call(
        self,
        inputs: Sequence[np.ndarray],
        in_dtypes: Sequence[str] = (),
        out_dtypes: Sequence[str] = (),
        function: str = "main",
    ) -> list[np.ndarray]:
        """Calls `function` and returns its results on the host.

        Args:
          inputs: arguments in HLO parameter order.
          in_dtypes: HLO dtype names of the inputs, when known (needed for bf16).
          out_dtypes: HLO dtype names of the outputs, when known (bf16 comes back as uint16).
          function: exported function name.
        """
        in_dtypes = list(in_dtypes) or [""] * len(inputs)
        args = [self.to_device(a, d) for a, d in zip(inputs, in_dtypes, strict=True)]
        results = self.function(function)(*args)
        if not isinstance(results, (tuple, list)):
            results = [results]
        out_dtypes = list(out_dtypes) or [""] * len(results)
        if len(out_dtypes) != len(results):
            raise ValueError(f"module returned {len(results)} results, expected {len(out_dtypes)}")
        return [_to_host(r, d) for r, d in zip(results, out_dtypes, strict=True)]


def _to_host(result: rt.DeviceArray, dtype: str) -> np.ndarray:
    if dtype == "bf16":
        # NumPy has no bfloat16, and DeviceArray's dtype override converts values instead of
        # reinterpreting bits, so map the buffer and read the uint16 bit patterns.
        view = result._buffer_view
        return np.array(view.map().asarray(view.shape, np.dtype(np.uint16)), copy=True)
    return np.array(result.to_host(), copy=True)
