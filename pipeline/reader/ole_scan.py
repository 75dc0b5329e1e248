"""Just enough of OLE compound files and BIFF8 records to bound an .xls before calamine reads it."""
from __future__ import annotations

import struct
import sys
from array import array

from .limits import CORRUPT, ENCRYPTED, TRUNCATED, Unreadable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NO_SECTOR = (0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC)
_BIFF_MULRK = 0x00BD
# NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA (BIFF8 and BIFF4), RSTRING, MULRK: the records that hold a value.
_BIFF_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x0406, 0x00D6, _BIFF_MULRK})
_U16_PAIR = struct.Struct("<HH")
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
_BIFF_DIMENSIONS = 0x0200
_BIFF_MAX_ROWS, _BIFF_MAX_COLS = 65536, 256


class Ole:
    """Just enough of the Compound File Binary format to list streams and read one, with bounded work."""

    def __init__(self, raw: bytes):
        if len(raw) < 512:
            raise Unreadable(TRUNCATED)
        self.raw = raw
        shift, mini_shift = struct.unpack_from("<HH", raw, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise Unreadable(CORRUPT)
        self.size = 1 << shift
        n_fat, dir_start = struct.unpack_from("<II", raw, 0x2C)
        self.cutoff, self.minifat_start, _, difat_start, n_difat = struct.unpack_from("<IIIII", raw, 0x38)
        self.n_sectors = (len(raw) - 1) // self.size
        difat = list(struct.unpack_from("<109I", raw, 0x4C))
        sector = difat_start
        for _ in range(min(n_difat, self.n_sectors)):
            if sector in _NO_SECTOR:
                break
            entries = struct.unpack_from(f"<{self.size // 4}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        # No real file needs more table than it has sectors; a damaged count must not make us read more.
        fat_sectors = [s for s in difat if s not in _NO_SECTOR][:min(n_fat, self.n_sectors * 4 // self.size + 1)]
        self.fat = _u32(b"".join(self._sector(s) for s in fat_sectors))
        self.entries = self._directory(dir_start)

    def _sector(self, n: int) -> bytes:
        if n >= self.n_sectors:
            raise Unreadable(TRUNCATED)
        start = (n + 1) * self.size
        return self.raw[start:start + self.size].ljust(self.size, b"\0")

    def _chain(self, start: int, fat: array) -> list[int]:
        chain = []
        n = start
        while n not in _NO_SECTOR:
            if n >= len(fat) or len(chain) > len(fat):
                raise Unreadable(CORRUPT)  # a chain that leaves the table or loops
            chain.append(n)
            n = fat[n]
        return chain

    def _directory(self, start: int) -> dict[str, tuple[int, int, int]]:
        data = b"".join(self._sector(s) for s in self._chain(start, self.fat))
        entries = {}
        for off in range(0, len(data) - 127, 128):
            name_len = min(struct.unpack_from("<H", data, off + 64)[0], 64)
            kind = data[off + 66]
            if kind not in (1, 2, 5) or name_len < 2:
                continue
            name = data[off:off + name_len - 2].decode("utf-16-le", errors="replace")
            first, size = struct.unpack_from("<IQ", data, off + 116)
            if self.size == 512:
                size &= 0xFFFFFFFF   # version 3 files leave the high half undefined
            entries[name.casefold()] = (kind, first, size)
        return entries

    def names(self) -> set[str]:
        return set(self.entries)

    def read(self, name: str) -> bytes:
        kind, first, size = self.entries[name.casefold()]
        if size > len(self.raw):
            raise Unreadable(CORRUPT)
        if size >= self.cutoff:
            data = b"".join(self._sector(s) for s in self._chain(first, self.fat))
            return data[:size]
        root = next((e for e in self.entries.values() if e[0] == 5), None)
        if root is None:
            raise Unreadable(CORRUPT)
        container = b"".join(self._sector(s) for s in self._chain(root[1], self.fat))
        minifat = _u32(b"".join(self._sector(s) for s in self._chain(self.minifat_start, self.fat)))
        data = b"".join(container[s * 64:(s + 1) * 64] for s in self._chain(first, minifat))
        return data[:size]


def _u32(data: bytes) -> array:
    """Read little-endian 32-bit sector numbers compactly: a table can hold millions of them."""
    table = array("I")
    table.frombytes(data[:len(data) - len(data) % 4])
    if sys.byteorder == "big":
        table.byteswap()
    return table


def biff_extents(stream: bytes) -> list[tuple[str, int, int]]:
    """Walk the BIFF records once and return each substream's extent from A1, with its sheet name."""
    pair = _U16_PAIR.unpack_from      # bound once: this loop runs once per cell
    names: dict[int, str] = {}
    extents: list[list] = []          # [offset of BOF, rows, cols]
    open_streams: list[list] = []     # a chart inside a sheet is a substream nested in the sheet's
    current = None
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, length = pair(stream, pos)
        body = pos + 4
        if body + length > end:
            break
        if rtype in _BIFF_CELLS:
            if current is not None and length >= 4:
                row, col = pair(stream, body)
                if rtype == _BIFF_MULRK and length >= 6:
                    col = pair(stream, body + length - 4)[1]
                if row >= current[1]:
                    current[1] = row + 1
                if col >= current[2]:
                    current[2] = col + 1
        elif rtype == _BIFF_BOF:
            current = [pos, 0, 0]
            extents.append(current)
            open_streams.append(current)
        elif rtype == _BIFF_EOF and open_streams:
            open_streams.pop()
            current = open_streams[-1] if open_streams else None
        elif rtype == _BIFF_DIMENSIONS and length in (10, 14):
            # calamine reserves (last row - first row) x (last col - first col) cells from this record as
            # written, so a damaged one asks for terabytes and aborts the process. Within the format's own
            # limits the reservation is harmless: it is never touched, and the cells really present are
            # checked from their own records.
            layout = "<IIHH" if length == 14 else "<HHHH"
            first_row, last_row, first_col, last_col = struct.unpack_from(layout, stream, body)
            if not (first_row <= last_row <= _BIFF_MAX_ROWS and first_col <= last_col <= _BIFF_MAX_COLS):
                raise Unreadable(CORRUPT)
        elif rtype == _BIFF_FILEPASS:
            # Everything after this record is encrypted with the workbook's open password.
            raise Unreadable(ENCRYPTED)
        elif rtype == _BIFF_BOUNDSHEET and length >= 8:
            names[struct.unpack_from("<I", stream, body)[0]] = _biff_name(stream[body + 6:body + length])
        pos = body + length
    return [(names.get(offset, ""), rows, cols) for offset, rows, cols in extents]


def _biff_name(data: bytes) -> str:
    if len(data) < 2:
        return ""
    count, flags = data[0], data[1]
    if flags & 0x1:
        return data[2:2 + 2 * count].decode("utf-16-le", errors="replace")
    return data[2:2 + count].decode("latin-1")
