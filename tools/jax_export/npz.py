"""Writes .npz archives byte-for-byte reproducibly.

`numpy.savez` stamps every zip entry with the current time; this writer fixes the time to the
zip epoch and the entry order to the order given, so identical arrays give identical bytes.
"""

import io
import zipfile

import numpy as np

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def dumps(arrays: list[tuple[str, np.ndarray]]) -> bytes:
    """Returns the bytes of an uncompressed .npz holding `arrays` (name, array) in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays:
            payload = io.BytesIO()
            # Not np.ascontiguousarray: it turns 0-d arrays (scalars) into shape (1,).
            np.lib.format.write_array(payload, np.asarray(array, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload.getvalue())
    return buffer.getvalue()
