"""Rewrites XLA's LLVM 23 textual IR so a released LLVM (19 to 22) parses it.

jaxlib 0.10.2 links LLVM 23.0.0git, whose IR printer emits syntax that no released LLVM reads
(research/xla_cc/REPORT.md §4). Each rule below names the LLVM release that introduced the
syntax; it applies when the consuming LLVM is older. Every rewrite keeps the semantics or drops
an optimisation hint, never adds one. `retarget` also removes the x86 target so the module can
be compiled for another triple, and `rename_kernels` gives kernel symbols library-unique, hidden
names so two libraries link into one binary.
"""

import re
import struct

_F0X = re.compile(r"\bf0x([0-9A-Fa-f]+)\b")
_DECIMAL = re.compile(r"(?<![\w.%@])([-+]?\d+\.\d+e[-+]?\d+)")
_MEMORY = re.compile(r"memory\(([^()]*)\)")


def _double_hex(value: float) -> str:
    """LLVM's classic float constant form: the bits of the equal double, `0x%016X`."""
    return "0x{:016X}".format(struct.unpack("<Q", struct.pack("<d", value))[0])


def _as_float(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _f0x(match: re.Match, line: str) -> str:
    # LLVM 23 prints FP constants as f0x<bits of the value's own type>.
    bits = match.group(1)
    if len(bits) == 8:
        return _double_hex(struct.unpack("<f", bytes.fromhex(bits)[::-1])[0])
    if len(bits) == 16:
        return "0x" + bits.upper()
    if len(bits) == 4:
        return ("0xR" if "bfloat" in line else "0xH") + bits.upper()
    raise ValueError(f"unsupported FP literal {match.group(0)}")


def _fix_fp_literals(line: str) -> str:
    line = _F0X.sub(lambda m: _f0x(m, line), line)
    # LLVM 22+ prints float decimals that are exact only after rounding to float
    # (`float -8.78e+01`); older parsers require an exactly representable literal.
    if "float" in line and "double" not in line and "half" not in line:

        def exact(m: re.Match) -> str:
            value = float(m.group(1))
            return m.group(1) if _as_float(value) == value else _double_hex(_as_float(value))

        line = _DECIMAL.sub(exact, line)
    return line


def _strip_memory_locations(match: re.Match, keep_errnomem: bool) -> str:
    kept = [
        p.strip()
        for p in match.group(1).split(",")
        if not p.strip().startswith("target_mem") and (keep_errnomem or not p.strip().startswith("errnomem"))
    ]
    return f"memory({', '.join(kept)})" if kept else ""


def downgrade(text: str, llvm: int) -> str:
    """Returns `text` rewritten for an LLVM release `llvm` (19..23)."""
    if not 19 <= llvm <= 23:
        raise ValueError(f"LLVM {llvm} is not supported; use 19 to 23")
    if llvm < 23:
        text = "\n".join(_fix_fp_literals(line) if not line.startswith("!") else line for line in text.split("\n"))
        # LLVM 23: `target_mem` locations; LLVM 21: `errnomem`.
        text = _MEMORY.sub(lambda m: _strip_memory_locations(m, llvm >= 21), text)
    if llvm < 22:
        text = re.sub(r"\bnocreateundeforpoison\b ?", "", text)
    if llvm < 21:
        text = text.replace("captures(none)", "nocapture")
        text = re.sub(r"\bcaptures\([^)]*\) ?", "", text)
    if llvm < 20:
        text = text.replace("icmp samesign ", "icmp ")
        text = re.sub(r"\binitializes\(\([^)]*\)(, \([^)]*\))*\) ?", "", text)
    return text


def retarget(text: str) -> str:
    """Drops the x86-64 triple, data layout and CPU tuning so `--target` decides."""
    text = re.sub(r"^target (datalayout|triple) = .*\n", "", text, flags=re.MULTILINE)
    text = re.sub(
        r' ?"(prefer-vector-width|target-cpu|target-features|tune-cpu)"="[^"]*"',
        "",
        text,
    )
    return re.sub(r"\buwtable ?", "", text)


def rename_kernels(text: str, names: dict[str, str]) -> str:
    """Renames defined kernel functions (`old -> new`) and gives them hidden visibility."""
    for old, new in names.items():
        pattern = re.compile(r"^define ([^@\n]*)@" + re.escape(old) + r"\(", re.MULTILINE)
        text, count = pattern.subn(rf"define hidden \1@{new}(", text)
        if count != 1:
            raise ValueError(f"kernel {old} is not defined exactly once in its IR module")
        text = re.sub(r"@" + re.escape(old) + r"\b", "@" + new, text)
    return text
