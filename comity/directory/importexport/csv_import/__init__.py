"""CSV import of authorities (the file format: parsing.py; how rows are applied: applying.py)."""

from comity.directory.importexport.csv_import.applying import (
    DEFAULT_MAX_WEB_ROWS,
    can_import,
    max_web_rows,
    run_import,
)
from comity.directory.importexport.csv_import.parsing import (
    COLUMNS,
    DEFAULT_MAX_BYTES,
    INFORMATIONAL_COLUMNS,
    NAME_COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    ParsedFile,
    RawRow,
    max_bytes,
    parse_csv,
)
from comity.directory.importexport.csv_import.report import (
    STATUS_LABELS,
    ImportReport,
    Mode,
    RowError,
    RowResult,
    Status,
)
from comity.directory.importexport.csv_import.rows import (
    BOOLEAN_COLUMNS,
    FALSE_WORDS,
    LIST_COLUMNS,
    MAX_LENGTHS,
    TEXT_COLUMNS,
    TRUE_WORDS,
    WEEKDAYS,
    format_office_hours,
    parse_office_hours,
    row_to_data,
)
from comity.directory.importexport.csv_import.staging import (
    MAX_UPLOADS_PER_SESSION,
    SESSION_KEY,
    UPLOAD_TTL_SECONDS,
    discard_upload,
    load_upload,
    store_upload,
    upload_dir,
)

__all__ = [
    "BOOLEAN_COLUMNS", "COLUMNS", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_WEB_ROWS", "FALSE_WORDS", "INFORMATIONAL_COLUMNS",
    "LIST_COLUMNS", "MAX_LENGTHS", "MAX_UPLOADS_PER_SESSION", "NAME_COLUMNS", "REQUIRED_COLUMNS", "SESSION_KEY",
    "STATUS_LABELS", "TEXT_COLUMNS", "TRUE_WORDS", "UPLOAD_TTL_SECONDS", "WEEKDAYS", "ImportFileError",
    "ImportReport", "Mode", "ParsedFile", "RawRow", "RowError", "RowResult", "Status", "can_import",
    "discard_upload", "format_office_hours", "load_upload", "max_bytes", "max_web_rows", "parse_csv",
    "parse_office_hours", "row_to_data", "run_import", "store_upload", "upload_dir",
]
