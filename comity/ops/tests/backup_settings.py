"""Test settings for a second process (a restore, the backup drill): the file root comes from COMITY_FILE_ROOT
instead of a fresh temporary folder, so that the process that wrote the files and the one that reads them agree."""

import os
from pathlib import Path

from comity.config.settings.test import *  # noqa: F403

COMITY_FILE_ROOT = Path(os.environ["COMITY_FILE_ROOT"])
