"""Work on a sheet column by column: each column's distinct values are parsed once and mapped back to its rows.

A roster column holds few distinct values (categories, grades, months) or values that are cheap to test in bulk
(names, IDs), so reading costs a pass of C-level work per cell and Python work per distinct value only.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import repeat

import numpy as np
import pandas as pd

from ..cells import BLANK_WORDS, clean_text, mask_ids

# No placeholder is longer than this before cleaning, unless padded with spaces.
_PLACEHOLDER_LENGTH = 16
# The marks clean_text drops from the front of a cell (text forced in Excel or WPS).
_TEXT_MARKS = ("'", "#", "‘", "`")


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return codes and distinct values, where values of different types are never merged.

    pandas takes 1, 1.0 and True for one value; in a roster True is not a 1, so values are split by type too.
    """
    if pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty"):
        codes, uniques = pd.factorize(values)
        return codes, np.asarray(uniques, dtype=object)
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    first = _first_of_each(codes)
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    if (kinds != kinds[first][codes]).any():
        # Some value shares a code with one of another type: number the (code, type) pairs instead.
        kind_codes, kind_list = pd.factorize(kinds)
        codes, _ = pd.factorize(codes * len(kind_list) + kind_codes)
        first = _first_of_each(codes)
    return codes, values[first]


def _first_of_each(codes: np.ndarray) -> np.ndarray:
    """Return where each code first appears; pandas numbers codes in order of first appearance."""
    rising = np.maximum.accumulate(codes) if len(codes) else codes
    return np.flatnonzero(np.diff(rising, prepend=-1) > 0)


def filled_mask(values: np.ndarray) -> np.ndarray:
    """Say of each value whether it holds anything but blanks and placeholders such as 无, — or NA.

    Only a short text can be a placeholder once stripped, which spares cleaning every distinct ID of a roster.
    """
    out = np.ones(len(values), dtype=bool)
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    texts = np.flatnonzero(kinds == str)
    lengths = np.fromiter(map(len, values[texts]), dtype=np.int64, count=len(texts))
    short, long = texts[lengths <= _PLACEHOLDER_LENGTH], texts[lengths > _PLACEHOLDER_LENGTH]
    out[short] = [clean_text(v) not in BLANK_WORDS for v in values[short]]
    out[long] = [len(t) > _PLACEHOLDER_LENGTH or clean_text(t) not in BLANK_WORDS for t in map(str.strip, values[long])]
    others = np.flatnonzero(kinds != str)
    out[others] = [clean_text(v) not in BLANK_WORDS for v in values[others]]
    return out


def _mostly_short(values: np.ndarray) -> bool:
    """Say whether most distinct values are short (names, words, numbers) rather than long texts such as IDs."""
    sample = values[:1000]
    long = sum(1 for v in sample if isinstance(v, str) and len(v) > _PLACEHOLDER_LENGTH)
    return long * 2 <= len(sample)


def clean_texts(values: np.ndarray) -> np.ndarray:
    """Return clean_text of each value; text that is already clean is recognised in bulk and kept as it is."""
    out = np.empty(len(values), dtype=object)
    kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
    texts = np.flatnonzero(kinds == str)
    strs = values[texts]
    n = len(strs)
    normal = np.fromiter(map(unicodedata.is_normalized, repeat("NFKC"), strs), dtype=bool, count=n)
    stripped = np.fromiter(map(str.strip, strs), dtype=object, count=n)
    marked = np.fromiter(map(str.startswith, strs, repeat(_TEXT_MARKS)), dtype=bool, count=n)
    plain = normal & (stripped == strs) & ~marked if n else np.zeros(0, dtype=bool)
    out[texts[plain]] = strs[plain]
    rest = np.ones(len(values), dtype=bool)
    rest[texts[plain]] = False
    out[rest] = [clean_text(v) for v in values[rest]]
    return out


class Column:
    """One column of a sheet's body: codes per row into its distinct raw values, which are cleaned once."""

    def __init__(self, values: np.ndarray):
        self.codes, self.uniques = factorize(values)
        self._root = self
        self._clean: np.ndarray | None = None      # kept on the root column only
        self._filled: np.ndarray | None = None

    @classmethod
    def empty(cls, length: int) -> Column:
        """Return a column of blank cells, for a field the sheet does not have."""
        return cls(np.full(length, "", dtype=object))

    @property
    def clean_uniques(self) -> np.ndarray:
        """Return clean_text of each distinct value, computed once for a column and every part taken of it."""
        root = self._root
        if root._clean is None:
            root._clean = clean_texts(root.uniques)
        return root._clean

    def at(self, rows: np.ndarray) -> Column:
        """Return the column restricted to some of its rows (positions), sharing the distinct values."""
        part = Column.__new__(Column)
        part.codes, part.uniques, part._root = self.codes[rows], self.uniques, self._root
        return part

    @property
    def raw(self) -> np.ndarray:
        """Return the raw cell of every row."""
        return self.uniques[self.codes]

    def clean(self) -> np.ndarray:
        """Return clean_text of every row."""
        return self.clean_uniques[self.codes]

    def shown(self) -> np.ndarray:
        """Return shown() of every row: the clean text, with any ID in it masked."""
        text = self.clean_uniques
        out = text.copy()
        # An ID is at least 15 characters: shorter text has none to mask.
        long = np.flatnonzero(np.fromiter(map(len, text), dtype=np.int64, count=len(text)) >= 15)
        out[long] = [mask_ids(t) for t in text[long]]
        return out[self.codes]

    @property
    def filled_uniques(self) -> np.ndarray:
        """Say of each distinct value whether it holds anything but blanks and placeholders such as 无, — or NA."""
        root = self._root
        if root._filled is None:
            if root._clean is not None or _mostly_short(root.uniques):
                # Most columns' texts are cleaned for reading anyway: clean them once, here, and test that.
                root._filled = ~np.fromiter(map(BLANK_WORDS.__contains__, root.clean_uniques), dtype=bool,
                                            count=len(root.uniques))
            else:
                root._filled = filled_mask(root.uniques)
        return root._filled

    def filled(self) -> np.ndarray:
        """Say of every row whether its cell holds anything but blanks and placeholders."""
        return self.filled_uniques[self.codes]

    def map(self, fn: Callable[[object], object], *, clean: bool = False) -> np.ndarray:
        """Apply fn to each distinct value present (raw, or as clean text) and return its result for every row."""
        results, _ = self._apply(fn, (), clean)
        return results

    def parse(self, fn: Callable[[object], object], errors: tuple[type[Exception], ...] = (ValueError,)
              ) -> tuple[np.ndarray, np.ndarray]:
        """Apply fn to each distinct raw value present; return its results (None where it raised) and where it did."""
        return self._apply(fn, errors, False)

    def _apply(self, fn: Callable[[object], object], errors: tuple[type[Exception], ...], clean: bool
               ) -> tuple[np.ndarray, np.ndarray]:
        present = np.flatnonzero(np.bincount(self.codes, minlength=len(self.uniques)))
        source = self.clean_uniques if clean else self.uniques
        results = np.full(len(self.uniques), None, dtype=object)
        failed = np.zeros(len(self.uniques), dtype=bool)
        for i in present:
            try:
                # Assigned one by one, so that a result that is a tuple stays one object.
                results[i] = fn(source[i])
            except errors:
                failed[i] = True
        return results[self.codes], failed[self.codes]


class Cells:
    """The cells under a sheet's header, column by column, each column factorized at most once."""

    def __init__(self, cells: np.ndarray, start: int):
        self.start = start
        self.block = cells[start:]
        self._columns: dict[int, Column] = {}

    def column(self, c: int | None) -> Column:
        """Return column c (0-based in the sheet), or a blank column when c is None."""
        if c is None:
            return Column.empty(len(self.block))
        if c not in self._columns:
            self._columns[c] = Column(self.block[:, c])
        return self._columns[c]

    def filled_counts(self, columns: range) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return, per row, how many of `columns` are filled, and the clean text and column of its first filled one."""
        n = len(self.block)
        counts = np.zeros(n, dtype=np.int64)
        first = np.full(n, "", dtype=object)
        first_col = np.full(n, -1, dtype=np.int64)
        for c in columns:
            column = self.column(c)
            filled = column.filled()
            new = filled & (first_col < 0)
            if new.any():
                first[new] = column.clean_uniques[column.codes[new]]
                first_col[new] = c
            counts += filled
        return counts, first, first_col

    def filled_rows(self) -> np.ndarray:
        """Say of every row whether any cell of it, in any column, holds anything but blanks."""
        filled, _ = self.first_filled()
        return filled

    def first_filled(self) -> tuple[np.ndarray, np.ndarray]:
        """Return, for each row, whether it holds anything but blanks, and the cleaned text of its first such cell.

        Columns are read left to right and each only over the rows still blank, so a sheet whose first column is
        filled costs one column.
        """
        n, width = self.block.shape
        first = np.full(n, "", dtype=object)
        blank_so_far = np.arange(n)
        for c in range(width):
            if not len(blank_so_far):
                break
            column = self.column(c) if len(blank_so_far) == n else Column(self.block[blank_so_far, c])
            text = column.clean_uniques
            filled = ~np.fromiter(map(BLANK_WORDS.__contains__, text), dtype=bool, count=len(text))[column.codes]
            first[blank_so_far[filled]] = text[column.codes[filled]]
            blank_so_far = blank_so_far[~filled]
        filled = np.ones(n, dtype=bool)
        filled[blank_so_far] = False
        return filled, first
