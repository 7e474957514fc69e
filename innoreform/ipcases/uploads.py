"""Large evidence uploads hashed as they stream in: Django's multipart parser hands each chunk to
this handler, which updates a SHA-256 and writes the chunk to a temporary file, so a gigabyte
file never sits in memory and its hash is ready when the upload ends (bench/evidence.py)."""

import hashlib

from django.core.files.uploadhandler import TemporaryFileUploadHandler

CHUNK = 1024 * 1024  # 1 MiB: fewer Python calls per gigabyte than Django's 64 KiB default


class HashingUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._sha = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self._sha.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        f = super().file_complete(file_size)
        f.sha256 = "sha256:" + self._sha.hexdigest()
        return f
