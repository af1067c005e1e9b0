"""Finding, fingerprinting and sniffing source files before any row is read.

Real exports come in any encoding and with any delimiter. This module answers,
for one file: what is its content hash (for the ledger, and to notice a file that
changes while it is read), which encoding (UTF-8 with or without BOM, else the
best guess of charset-normalizer, e.g. Windows-1252), which delimiter (the
standard library's ``csv.Sniffer`` over a sample, with a column-count fallback)
and what the header says. Files not in UTF-8 are transcoded once to a temporary
UTF-8 copy so that DuckDB can read them at full speed.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from onpace.errors import IngestError

_CHUNK = 1 << 20
_SAMPLE = 256 * 1024
_DELIMITERS = ",;\t|"
FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".zip": "zip",
    ".prn": "text",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


@dataclass(frozen=True)
class FileStamp:
    """What a file was when fingerprinted: a change of either means it was rewritten."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


@dataclass(frozen=True)
class Fingerprint:
    """Content hash, stamp, whether the bytes are valid UTF-8 (with a BOM), and blank lines.

    DuckDB's CSV reader skips empty lines, so a file with them needs its line numbers
    counted another way.
    """

    sha256: str
    stamp: FileStamp
    utf8: bool
    bom: bool
    blank_lines: bool = False


def fingerprint(path: Path) -> Fingerprint:
    """Hash the file and check UTF-8 validity in the same single pass."""
    stamp = FileStamp.of(path)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    blank = False
    first = b""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if not first:
                first = chunk[:3]
            digest.update(chunk)
            if not blank:
                joined = tail + chunk
                blank = b"\n\n" in joined or b"\n\r\n" in joined
                tail = chunk[-2:]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Fingerprint(digest.hexdigest(), stamp, utf8, first.startswith(codecs.BOM_UTF8), blank)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def mostly_utf8(path: Path) -> bool:
    """True when a file that failed UTF-8 still has UTF-8 multibyte characters in it.

    Such a file mixes encodings (or has damaged bytes): reading it as Windows-1252
    would turn every accented letter into two wrong ones, so it is refused instead.
    """
    with path.open("rb") as fh:
        sample = fh.read(4 * _SAMPLE)
    return len(_UTF8_MULTIBYTE.findall(sample)) >= 1 and not sample.startswith(b"\xff\xfe")


def bad_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 is: line and byte value."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                return f"line {line}: byte 0x{chunk[exc.start]:02x}"
            line += chunk.count(b"\n")
    return "at the end of the file"


def guess_encoding(path: Path) -> str:
    """The encoding of a file that is not UTF-8, from a sample (charset-normalizer)."""
    from charset_normalizer import from_bytes

    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE)
    best = from_bytes(sample).best()
    if best is None:
        return "cp1252"
    name = str(best.encoding)
    # Latin-1 guesses are almost always Windows-1252 exports (it adds the euro sign)
    return "cp1252" if name in ("latin_1", "iso8859_1", "ascii") else name


def transcode(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of ``path`` in ``workdir``; bytes the encoding lacks are an error."""
    fd, name = tempfile.mkstemp(suffix=".csv", dir=workdir)
    os.close(fd)
    target = Path(name)
    try:
        with (
            path.open("r", encoding=encoding, newline="") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(
            f"{path}: cannot decode as {encoding}: {exc}",
            "set 'encoding:' on the source to the file's real encoding (e.g. cp1252, utf-16)",
        ) from exc
    return target


# An export compresses 5 to 20 times; a bomb 1,000 times and more. Decompression stops past
# this ratio (and a floor, so small files of one repeated value still open).
MAX_RATIO = 200
MIN_LIMIT = 256 * 1024 * 1024


def _limit(compressed: int) -> int:
    return max(MIN_LIMIT, MAX_RATIO * compressed)


def _copy_limited(
    src: IO[bytes] | io.BufferedIOBase, dst: IO[bytes], limit: int, what: str
) -> None:
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > limit:
            raise IngestError(
                f"{what} decompresses to more than {limit:,} bytes ({MAX_RATIO} times its "
                "size): it is damaged or made to fill the disk",
                "decompress it yourself, check the result, and point 'file:' at it",
            )
        dst.write(chunk)


def gunzip(path: Path, workdir: Path) -> Path:
    """A decompressed copy of a gzip file in ``workdir``, keeping the inner file's suffix."""
    import gzip

    fd, name = tempfile.mkstemp(suffix=Path(path.stem).suffix or ".csv", dir=workdir)
    os.close(fd)
    try:
        with gzip.open(path, "rb") as src, open(name, "wb") as dst:
            _copy_limited(src, dst, _limit(path.stat().st_size), "the file")
    except (OSError, EOFError, zlib.error) as exc:
        raise IngestError(
            f"cannot decompress: {exc}", "check that the .gz file is complete"
        ) from exc
    return Path(name)


def unzip(path: Path, workdir: Path, pattern: str) -> list[tuple[str, Path]]:
    """The archive's members matching ``pattern``, each extracted to ``workdir``, in name order.

    Folders and macOS metadata are skipped; a member whose name leads out of its folder is
    never written anywhere but ``workdir`` (members are extracted under numbered names).
    """
    import fnmatch
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"not a zip archive: {exc}", "check that the file is complete") from exc
    found: list[tuple[str, Path]] = []
    with archive:
        members = sorted(
            (i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename
        )
        for index, info in enumerate(members):
            member = info.filename
            base = member.rsplit("/", 1)[-1]
            if member.startswith("__MACOSX/") or base.startswith("._") or not base:
                continue
            if not fnmatch.fnmatchcase(member, pattern) and not fnmatch.fnmatchcase(base, pattern):
                continue
            target = workdir / f"member-{index}{Path(base).suffix}"
            try:
                with archive.open(info) as src, target.open("wb") as dst:
                    _copy_limited(src, dst, _limit(info.compress_size), member)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
                raise IngestError(
                    f"cannot extract {member}: {exc}", "check that the archive is complete"
                ) from exc
            found.append((member, target))
    return found


def record_lines(
    path: Path, delimiter: str, quote: str, skip: int, header: bool = True
) -> list[int]:
    """The line each data record starts on, counted the slow, exact way (blank lines skipped)."""
    lines: list[int] = []
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, quotechar=quote)
        for _ in range(skip + (1 if header else 0)):
            next(reader, None)
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                return []  # DuckDB reports the damage itself
            if row:  # a blank line reads as [] and is not a record
                lines.append(start)
    return lines


def read_sample(path: Path, encoding: str) -> str:
    with path.open("rb") as fh:
        raw = fh.read(_SAMPLE)
    text = raw.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def sniff_delimiter(sample: str) -> str:
    """The field delimiter of a CSV sample: csv.Sniffer first, consistent counts second."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS)
        return str(dialect.delimiter)
    except csv.Error:
        pass
    best, best_score = ",", -1
    for delim in _DELIMITERS:
        counts = Counter(
            len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)
        )
        if not counts:
            continue
        width, freq = counts.most_common(1)[0]
        score = freq * (width > 1) * width
        if score > best_score:
            best, best_score = delim, score
    return best


def read_header(sample: str, delimiter: str, quote: str, skip: int) -> list[str]:
    """Column names from the header line (after ``skip`` lines), checked for blanks and twins."""
    # newline='': the csv module sees \r, \n and \r\n line ends itself (old Mac files)
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=quote)
    row: list[str] | None = None
    try:
        for _ in range(skip + 1):
            row = next(reader)
    except StopIteration:
        row = None
    except csv.Error as exc:
        raise IngestError(f"cannot read the header: {exc}") from exc
    if not row or not any(c.strip() for c in row):
        raise IngestError(
            "the file is empty: there is no header line", "export the data again with a header row"
        )
    return checked_names(row)


def checked_names(row: list[str]) -> list[str]:
    """Header names trimmed, blanks named ``column<N>``, a name given twice refused."""
    names = [c.strip() for c in row]
    seen: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            names[i - 1] = f"column{i}"
            continue
        if name in seen:
            raise IngestError(
                f"column '{name}' appears twice in the header (columns {seen[name]} and {i})",
                "rename one of them in the file",
            )
        seen[name] = i
    return names
