"""A download button that always delivers the whole file, once per click.

Each click asks the server for the file (``vue_request``); the server builds it then and sends
it back in one message with the bytes as a binary buffer, and the browser saves exactly that
message. Nothing is kept between clicks, so two quick clicks give two complete files and a
click after the settings changed gives the file of the new settings.
"""

from __future__ import annotations

from collections.abc import Callable

import ipyvuetify as v
import traitlets

TEMPLATE = """
<template>
  <v-btn outlined class="cascade-download" :loading="busy" @click="request()"
         :aria-label="'Download ' + label">
    <v-icon left>mdi-download</v-icon>{{ label }}
  </v-btn>
</template>
<script>
module.exports = {
  methods: {
    jupyter_save(filename, mime, buffers) {
      const blob = new Blob([buffers[0]], {type: mime});
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
    },
  },
};
</script>
"""


class DownloadButton(v.VuetifyTemplate):
    """A button that saves ``content()`` as ``filename`` when clicked.

    Attributes:
        content: a callable returning the file's text or bytes (not sent to the browser).
        saved: how many files this button has sent (for tests and diagnostics).
    """

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("download.dat").tag(sync=True)
    mime_type = traitlets.Unicode("application/octet-stream").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    saved = traitlets.Int(0).tag(sync=True)
    content = traitlets.Any(None, allow_none=True)

    def payload(self) -> bytes:
        """The file as bytes, built now."""
        data = self.content() if isinstance(self.content, Callable) else self.content
        if data is None:
            raise ValueError(f"nothing to download for {self.filename}")
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)

    def vue_request(self, _data=None) -> None:
        self.busy = True
        try:
            data = self.payload()
            self.send({"method": "save", "args": [self.filename, self.mime_type]}, [data])
            self.saved += 1
        finally:
            self.busy = False
