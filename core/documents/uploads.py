"""An upload handler that stops reading a file as soon as it passes the size limit."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitUploadHandler(FileUploadHandler):
    """Put first in `request.upload_handlers`: past `limit` bytes the file is dropped (the rest of
    the body is read and discarded, never buffered) and `request.upload_too_large` is set."""

    def __init__(self, request, *, limit: int):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
